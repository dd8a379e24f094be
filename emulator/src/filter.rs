//! A small OData `$filter` parser and evaluator covering what Graph documents for the
//! entitlement-management resources ep uses, and rejecting (400) what Graph rejects.
//!
//! Parsing is generic OData syntax; what is *allowed* is decided per entity type by a
//! [`Schema`], because Graph's restrictions are per property (e.g. `state` supports only `eq`,
//! `completedDateTime` is not filterable at all).

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    DateTime(DateTime<Utc>),
    Guid(String),
    Number(f64),
    Bool(bool),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Prop(String),
    Lit(Literal),
    ToLower(Box<Operand>),
    ToUpper(Box<Operand>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    fn name(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrFunc {
    Contains,
    StartsWith,
    EndsWith,
}

impl StrFunc {
    fn name(self) -> &'static str {
        match self {
            StrFunc::Contains => "contains",
            StrFunc::StartsWith => "startswith",
            StrFunc::EndsWith => "endswith",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, CmpOp, Operand),
    Func(StrFunc, Operand, Operand),
    /// `collection/any(v: body)`: some member of a collection matches `body`, whose properties
    /// are the member's (the range variable is stripped at parse time).
    Any(String, Box<Expr>),
}

/// Why a filter was rejected; always answered as 400 with an OData error body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FilterError {
    pub(crate) message: String,
}

fn err<T>(message: impl Into<String>) -> Result<T, FilterError> {
    Err(FilterError {
        message: message.into(),
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Lit(Literal),
    LParen,
    RParen,
    Comma,
    /// The `:` after a lambda's range variable (`t: t/id eq 'x'`).
    Colon,
}

fn tokenize(input: &str) -> Result<Vec<Token>, FilterError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                tokens.push(Token::LParen);
                i += 1;
            }
            ')' => {
                tokens.push(Token::RParen);
                i += 1;
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            ':' => {
                tokens.push(Token::Colon);
                i += 1;
            }
            '\'' => {
                // OData string literal: a quote inside is written as two quotes.
                let start = i;
                i += 1;
                let mut s = String::new();
                loop {
                    match chars.get(i) {
                        None => {
                            return err(format!(
                                "Syntax error: unterminated string literal at position {start} in '{input}'."
                            ));
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                tokens.push(Token::Str(s));
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '-' => {
                let start = i;
                // A `:` continues only a literal (a time, `10:00:00Z`); after a name it ends a
                // lambda's range variable.
                let literal = c.is_ascii_digit() || c == '-';
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric()
                        || matches!(chars[i], '_' | '-' | '.' | '/' | '+')
                        || (literal && chars[i] == ':'))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(classify_word(&word, start, input)?);
            }
            other => {
                return err(format!(
                    "Syntax error: character '{other}' is not valid at position {i} in '{input}'."
                ));
            }
        }
    }
    Ok(tokens)
}

fn classify_word(word: &str, pos: usize, input: &str) -> Result<Token, FilterError> {
    if word.len() == 36 && uuid::Uuid::try_parse(word).is_ok() {
        return Ok(Token::Lit(Literal::Guid(word.to_ascii_lowercase())));
    }
    let first = word.chars().next().unwrap_or(' ');
    if first.is_ascii_digit() || first == '-' {
        if let Ok(dt) = DateTime::parse_from_rfc3339(word) {
            return Ok(Token::Lit(Literal::DateTime(dt.with_timezone(&Utc))));
        }
        if let Ok(n) = word.parse::<f64>() {
            return Ok(Token::Lit(Literal::Number(n)));
        }
        return err(format!(
            "Syntax error at position {pos} in '{input}': '{word}' is not a valid literal."
        ));
    }
    Ok(match word {
        "true" => Token::Lit(Literal::Bool(true)),
        "false" => Token::Lit(Literal::Bool(false)),
        "null" => Token::Lit(Literal::Null),
        _ => Token::Ident(word.to_string()),
    })
}

/// Nesting (parentheses, `not`, function calls) deeper than this is refused. The parser recurses
/// once per level: without a bound, a few thousand `(` overflow the stack of the server thread
/// and take the whole emulator down.
pub(crate) const MAX_DEPTH: usize = 100;

/// Nodes (comparisons, functions, `and`/`or`/`not`) in one filter, as OData servers bound them
/// (`MaxNodeCount`, 100 by default). A long `and` chain builds a tree as deep as it is long, and
/// validating, evaluating and dropping it recurse that deep.
pub(crate) const MAX_NODES: usize = 100;

struct Parser<'a> {
    tokens: Vec<Token>,
    pos: usize,
    input: &'a str,
    depth: usize,
    nodes: usize,
}

impl Parser<'_> {
    /// Enter one level of nesting; [`Parser::leave`] undoes it.
    fn enter(&mut self) -> Result<(), FilterError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(format!(
                "The query specified in the URI is not valid. The $filter expression is nested \
                 more than {MAX_DEPTH} levels deep."
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Count one node of the tree being built.
    fn node(&mut self) -> Result<(), FilterError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return err(format!(
                "The query specified in the URI is not valid. The node count limit of \
                 '{MAX_NODES}' has been exceeded."
            ));
        }
        Ok(())
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_ident(&self) -> Option<&str> {
        match self.peek() {
            Some(Token::Ident(s)) => Some(s),
            _ => None,
        }
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, want: &Token, what: &str) -> Result<(), FilterError> {
        match self.next() {
            Some(ref t) if t == want => Ok(()),
            _ => err(format!(
                "Syntax error: expected {what} in '{}'.",
                self.input
            )),
        }
    }

    fn or_expr(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.and_expr()?;
        while self.peek_ident() == Some("or") {
            self.pos += 1;
            self.node()?;
            let right = self.and_expr()?;
            left = Expr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Expr, FilterError> {
        let mut left = self.unary()?;
        while self.peek_ident() == Some("and") {
            self.pos += 1;
            self.node()?;
            let right = self.unary()?;
            left = Expr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, FilterError> {
        if self.peek_ident() == Some("not") {
            self.pos += 1;
            self.node()?;
            self.enter()?;
            let inner = self.unary()?;
            self.leave();
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, FilterError> {
        if self.peek() == Some(&Token::LParen) {
            self.pos += 1;
            self.enter()?;
            let e = self.or_expr()?;
            self.leave();
            self.expect(&Token::RParen, "')'")?;
            return Ok(e);
        }
        self.node()?;
        if let Some(collection) = self
            .peek_ident()
            .and_then(|w| lambda_collection(w))
            .map(str::to_string)
            && self.tokens.get(self.pos + 1) == Some(&Token::LParen)
        {
            return self.lambda(collection);
        }
        let func = match self.peek_ident() {
            Some("contains") => Some(StrFunc::Contains),
            Some("startswith") => Some(StrFunc::StartsWith),
            Some("endswith") => Some(StrFunc::EndsWith),
            _ => None,
        };
        if let Some(func) = func
            && self.tokens.get(self.pos + 1) == Some(&Token::LParen)
        {
            self.pos += 2;
            let a = self.operand()?;
            self.expect(&Token::Comma, "','")?;
            let b = self.operand()?;
            self.expect(&Token::RParen, "')'")?;
            return Ok(Expr::Func(func, a, b));
        }
        let left = self.operand()?;
        let op = match self.next() {
            Some(Token::Ident(w)) => match w.as_str() {
                "eq" => CmpOp::Eq,
                "ne" => CmpOp::Ne,
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                other => {
                    return err(format!(
                        "Syntax error: '{other}' is not a supported comparison operator in '{}'.",
                        self.input
                    ));
                }
            },
            _ => {
                return err(format!(
                    "Syntax error: expected a comparison operator in '{}'.",
                    self.input
                ));
            }
        };
        let right = self.operand()?;
        Ok(Expr::Cmp(left, op, right))
    }

    /// `collection/any(v: body)`, the `collection/any` and `(` already peeked. `all` and an
    /// empty `any()` are refused: Graph documents only `any` with a condition.
    fn lambda(&mut self, collection: String) -> Result<Expr, FilterError> {
        let word = self.peek_ident().unwrap_or_default().to_string();
        if !word.ends_with("/any") {
            return err(format!(
                "Invalid filter clause: the lambda operator in '{word}' is not supported; only 'any' is."
            ));
        }
        self.pos += 2;
        let var = match (self.next(), self.next()) {
            (Some(Token::Ident(v)), Some(Token::Colon)) if !v.contains('/') => v,
            _ => {
                return err(format!(
                    "Syntax error: expected a range variable and ':' after '{word}(' in '{}'.",
                    self.input
                ));
            }
        };
        self.enter()?;
        let body = self.or_expr()?;
        self.leave();
        self.expect(&Token::RParen, "')'")?;
        let body = strip_range_variable(body, &var)?;
        Ok(Expr::Any(collection, Box::new(body)))
    }

    fn operand(&mut self) -> Result<Operand, FilterError> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Operand::Lit(Literal::Str(s))),
            Some(Token::Lit(l)) => Ok(Operand::Lit(l)),
            Some(Token::Ident(name)) => {
                if self.peek() == Some(&Token::LParen) {
                    let wrap: fn(Box<Operand>) -> Operand = match name.as_str() {
                        "tolower" => Operand::ToLower,
                        "toupper" => Operand::ToUpper,
                        other => {
                            return err(format!(
                                "An unknown function with name '{other}' was found."
                            ));
                        }
                    };
                    self.pos += 1;
                    self.node()?;
                    self.enter()?;
                    let inner = self.operand()?;
                    self.leave();
                    self.expect(&Token::RParen, "')'")?;
                    return Ok(wrap(Box::new(inner)));
                }
                if matches!(
                    name.as_str(),
                    "and" | "or" | "not" | "eq" | "ne" | "gt" | "ge" | "lt" | "le"
                ) {
                    return err(format!(
                        "Syntax error: unexpected keyword '{name}' in '{}'.",
                        self.input
                    ));
                }
                Ok(Operand::Prop(name))
            }
            _ => err(format!(
                "Syntax error: expected a property or literal in '{}'.",
                self.input
            )),
        }
    }
}

/// `targetResources` of `targetResources/any`, `targetResources/all`.
fn lambda_collection(word: &str) -> Option<&str> {
    word.strip_suffix("/any")
        .or_else(|| word.strip_suffix("/all"))
        .filter(|c| !c.is_empty())
}

/// The body of a lambda with its properties as the member's: `t/id` becomes `id`. A property
/// not reached through the range variable is refused, as OData refuses it.
fn strip_range_variable(e: Expr, var: &str) -> Result<Expr, FilterError> {
    let prefix = format!("{var}/");
    let operand = |o: Operand| -> Result<Operand, FilterError> {
        fn strip(o: Operand, prefix: &str, var: &str) -> Result<Operand, FilterError> {
            Ok(match o {
                Operand::Prop(p) => match p.strip_prefix(prefix) {
                    Some(member) if !member.is_empty() => Operand::Prop(member.to_string()),
                    _ => {
                        return err(format!(
                            "Invalid filter clause: '{p}' is not a property of the range variable '{var}'."
                        ));
                    }
                },
                Operand::ToLower(inner) => Operand::ToLower(Box::new(strip(*inner, prefix, var)?)),
                Operand::ToUpper(inner) => Operand::ToUpper(Box::new(strip(*inner, prefix, var)?)),
                lit @ Operand::Lit(_) => lit,
            })
        }
        strip(o, &prefix, var)
    };
    Ok(match e {
        Expr::And(a, b) => Expr::And(
            Box::new(strip_range_variable(*a, var)?),
            Box::new(strip_range_variable(*b, var)?),
        ),
        Expr::Or(a, b) => Expr::Or(
            Box::new(strip_range_variable(*a, var)?),
            Box::new(strip_range_variable(*b, var)?),
        ),
        Expr::Not(a) => Expr::Not(Box::new(strip_range_variable(*a, var)?)),
        Expr::Cmp(a, op, b) => Expr::Cmp(operand(a)?, op, operand(b)?),
        Expr::Func(f, a, b) => Expr::Func(f, operand(a)?, operand(b)?),
        Expr::Any(..) => {
            return err("Invalid filter clause: a lambda inside a lambda is not supported.");
        }
    })
}

/// Parses OData `$filter` syntax (not yet checked against an entity type).
pub(crate) fn parse(input: &str) -> Result<Expr, FilterError> {
    let tokens = tokenize(input)?;
    if tokens.is_empty() {
        return err("The $filter expression must not be empty.");
    }
    let mut p = Parser {
        tokens,
        pos: 0,
        input,
        depth: 0,
        nodes: 0,
    };
    let e = p.or_expr()?;
    if p.pos < p.tokens.len() {
        return err(format!(
            "Syntax error at position {} in '{input}': unexpected trailing input.",
            p.pos
        ));
    }
    Ok(e)
}

/// How a filterable property compares.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PropKind {
    /// An OData enum: string literal that must be an exact member name.
    Enum(&'static [&'static str]),
    /// Directory-style string: comparisons are case-insensitive.
    Text,
    DateTime,
    /// A GUID key: accepts quoted or bare GUID literals, case-insensitive.
    Guid,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PropRule {
    pub(crate) name: &'static str,
    /// `None` = the property exists but Graph does not support filtering on it.
    pub(crate) kind: Option<PropKind>,
    pub(crate) ops: &'static [CmpOp],
    /// contains/startswith (and tolower/toupper) are allowed.
    pub(crate) string_functions: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Schema {
    pub(crate) type_name: &'static str,
    pub(crate) props: &'static [PropRule],
    /// Collections that take `any(...)`, with what their members may be filtered on.
    pub(crate) lambdas: &'static [(&'static str, &'static Schema)],
}

const ALL_OPS: &[CmpOp] = &[
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Gt,
    CmpOp::Ge,
    CmpOp::Lt,
    CmpOp::Le,
];
const EQ: &[CmpOp] = &[CmpOp::Eq];
const EQ_NE: &[CmpOp] = &[CmpOp::Eq, CmpOp::Ne];

const fn rule(name: &'static str, kind: PropKind, ops: &'static [CmpOp]) -> PropRule {
    PropRule {
        name,
        kind: Some(kind),
        ops,
        string_functions: false,
    }
}

const fn unfilterable(name: &'static str) -> PropRule {
    PropRule {
        name,
        kind: None,
        ops: &[],
        string_functions: false,
    }
}

const V1_STATES: &[&str] = &[
    "submitted",
    "pendingApproval",
    "delivering",
    "delivered",
    "deliveryFailed",
    "denied",
    "scheduled",
    "canceled",
    "partiallyDelivered",
    "unknownFutureValue",
];

pub(crate) const V1_REQUEST: Schema = Schema {
    type_name: "microsoft.graph.accessPackageAssignmentRequest",
    lambdas: &[],
    props: &[
        rule("id", PropKind::Guid, EQ),
        rule("state", PropKind::Enum(V1_STATES), EQ),
        rule("createdDateTime", PropKind::DateTime, ALL_OPS),
        rule("accessPackage/id", PropKind::Guid, EQ),
        unfilterable("completedDateTime"),
        unfilterable("requestType"),
        unfilterable("status"),
        unfilterable("justification"),
        unfilterable("schedule"),
        unfilterable("answers"),
    ],
};

pub(crate) const BETA_REQUEST: Schema = Schema {
    type_name: "microsoft.graph.accessPackageAssignmentRequest",
    lambdas: &[],
    props: &[
        rule("id", PropKind::Guid, EQ),
        rule("requestState", PropKind::Text, EQ),
        rule("createdDateTime", PropKind::DateTime, ALL_OPS),
        rule("accessPackage/id", PropKind::Guid, EQ),
        unfilterable("completedDate"),
        unfilterable("requestType"),
        unfilterable("requestStatus"),
        unfilterable("expirationDateTime"),
        unfilterable("isValidationOnly"),
        unfilterable("justification"),
        unfilterable("schedule"),
        unfilterable("answers"),
    ],
};

const DISPLAY_NAME: PropRule = PropRule {
    name: "displayName",
    kind: Some(PropKind::Text),
    ops: EQ_NE,
    string_functions: true,
};

pub(crate) const V1_PACKAGE: Schema = Schema {
    type_name: "microsoft.graph.accessPackage",
    lambdas: &[],
    props: &[
        rule("id", PropKind::Guid, EQ),
        DISPLAY_NAME,
        rule("catalog/id", PropKind::Guid, EQ),
        unfilterable("description"),
        unfilterable("isHidden"),
        unfilterable("createdDateTime"),
        unfilterable("modifiedDateTime"),
    ],
};

pub(crate) const BETA_PACKAGE: Schema = Schema {
    type_name: "microsoft.graph.accessPackage",
    lambdas: &[],
    props: &[
        rule("id", PropKind::Guid, EQ),
        DISPLAY_NAME,
        rule("catalogId", PropKind::Guid, EQ),
        unfilterable("description"),
        unfilterable("isHidden"),
        unfilterable("createdDateTime"),
        unfilterable("modifiedDateTime"),
    ],
};

/// `targetResource`, a member of `directoryAudit.targetResources`: "Supports $filter (eq) for id
/// and displayName; and $filter (startswith) for displayName."
pub(crate) const TARGET_RESOURCE: Schema = Schema {
    type_name: "microsoft.graph.targetResource",
    lambdas: &[],
    props: &[
        rule("id", PropKind::Text, EQ),
        PropRule {
            name: "displayName",
            kind: Some(PropKind::Text),
            ops: EQ,
            string_functions: true,
        },
        unfilterable("type"),
        unfilterable("userPrincipalName"),
        unfilterable("groupType"),
        unfilterable("modifiedProperties"),
    ],
};

/// `directoryAudit`, as its resource page documents `$filter`: `activityDateTime` (`eq`, `ge`,
/// `le`), `activityDisplayName` (`eq`, `startswith`), `correlationId` (an `Edm.String`, so a
/// quoted literal), `id` and `loggedByService` (`eq`), and `targetResources/any(t: t/id eq '…')`
/// (or `t/displayName`). Lambdas on `initiatedBy` are not emulated: they are answered 400.
pub(crate) const DIRECTORY_AUDIT: Schema = Schema {
    type_name: "microsoft.graph.directoryAudit",
    lambdas: &[("targetResources", &TARGET_RESOURCE)],
    props: &[
        rule("id", PropKind::Text, EQ),
        rule(
            "activityDateTime",
            PropKind::DateTime,
            &[CmpOp::Eq, CmpOp::Ge, CmpOp::Le],
        ),
        PropRule {
            name: "activityDisplayName",
            kind: Some(PropKind::Text),
            ops: EQ,
            string_functions: true,
        },
        rule("correlationId", PropKind::Text, EQ),
        rule("loggedByService", PropKind::Text, EQ),
        unfilterable("category"),
        unfilterable("result"),
        unfilterable("resultReason"),
        unfilterable("operationType"),
        unfilterable("additionalDetails"),
        unfilterable("targetResources"),
        unfilterable("initiatedBy"),
    ],
};

fn lookup<'s>(schema: &'s Schema, name: &str) -> Result<&'s PropRule, FilterError> {
    schema
        .props
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| FilterError {
            message: format!(
                "Could not find a property named '{name}' on type '{}'.",
                schema.type_name
            ),
        })
}

/// The property under a (possibly tolower/toupper-wrapped) operand, and whether it is wrapped.
fn property_of(op: &Operand) -> Option<(&str, bool)> {
    match op {
        Operand::Prop(p) => Some((p, false)),
        Operand::ToLower(inner) | Operand::ToUpper(inner) => {
            property_of(inner).map(|(p, _)| (p, true))
        }
        Operand::Lit(_) => None,
    }
}

fn filterable<'s>(schema: &'s Schema, name: &str) -> Result<(&'s PropRule, PropKind), FilterError> {
    let rule = lookup(schema, name)?;
    match rule.kind {
        Some(kind) => Ok((rule, kind)),
        None => err(format!(
            "Invalid filter clause: the property '{name}' of '{}' does not support filtering.",
            schema.type_name
        )),
    }
}

fn literal_type(l: &Literal) -> &'static str {
    match l {
        Literal::Str(_) => "Edm.String",
        Literal::DateTime(_) => "Edm.DateTimeOffset",
        Literal::Guid(_) => "Edm.Guid",
        Literal::Number(_) => "Edm.Double",
        Literal::Bool(_) => "Edm.Boolean",
        Literal::Null => "null",
    }
}

/// Checks a parsed filter against what Graph supports for the entity type.
pub(crate) fn validate(expr: &Expr, schema: &Schema, strict: bool) -> Result<(), FilterError> {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            if strict {
                let kw = if matches!(expr, Expr::And(..)) {
                    "and"
                } else {
                    "or"
                };
                return err(format!(
                    "Invalid filter clause: combining clauses with '{kw}' is not supported for this resource."
                ));
            }
            validate(a, schema, strict)?;
            validate(b, schema, strict)
        }
        Expr::Not(_) => {
            err("Invalid filter clause: the 'not' operator is not supported for this resource.")
        }
        Expr::Any(collection, body) => {
            match schema.lambdas.iter().find(|(name, _)| name == collection) {
                Some((_, members)) => validate(body, members, strict),
                None => {
                    // A property that exists but takes no lambda is refused as such.
                    lookup(schema, collection)?;
                    err(format!(
                        "Invalid filter clause: the property '{collection}' of '{}' does not support lambda operators.",
                        schema.type_name
                    ))
                }
            }
        }
        Expr::Func(f, target, arg) => {
            let Some((name, _)) = property_of(target) else {
                return err(format!(
                    "Invalid filter clause: the first argument of '{}' must be a property.",
                    f.name()
                ));
            };
            let (rule, _) = filterable(schema, name)?;
            if !rule.string_functions || *f == StrFunc::EndsWith {
                return err(format!(
                    "Invalid filter clause: the function '{}' is not supported for the property '{name}'.",
                    f.name()
                ));
            }
            match arg {
                Operand::Lit(Literal::Str(_)) => Ok(()),
                _ => err(format!(
                    "Invalid filter clause: the second argument of '{}' must be a string literal.",
                    f.name()
                )),
            }
        }
        Expr::Cmp(left, op, right) => {
            let Some((name, wrapped)) = property_of(left) else {
                return err(
                    "Invalid filter clause: the left operand of a comparison must be a property.",
                );
            };
            let Operand::Lit(lit) = right else {
                return err(
                    "Invalid filter clause: the right operand of a comparison must be a literal.",
                );
            };
            let (rule, kind) = filterable(schema, name)?;
            if wrapped && !rule.string_functions {
                return err(format!(
                    "Invalid filter clause: tolower/toupper are not supported for the property '{name}'."
                ));
            }
            if !rule.ops.contains(op) {
                let allowed: Vec<&str> = rule.ops.iter().map(|o| o.name()).collect();
                return err(format!(
                    "Invalid filter clause: the operator '{}' is not supported for the property '{name}'; supported: {}.",
                    op.name(),
                    allowed.join(", ")
                ));
            }
            let mismatch = || {
                err(format!(
                    "A binary operator with incompatible types was detected. Found operand types for property '{name}' and '{}' for operator kind '{}'.",
                    literal_type(lit),
                    op.name()
                ))
            };
            match (kind, lit) {
                (PropKind::Enum(members), Literal::Str(s)) => {
                    if members.contains(&s.as_str()) {
                        Ok(())
                    } else {
                        err(format!(
                            "The string '{s}' is not a valid enumerated type constant."
                        ))
                    }
                }
                (PropKind::Text, Literal::Str(_))
                | (PropKind::Guid, Literal::Str(_) | Literal::Guid(_))
                | (PropKind::DateTime, Literal::DateTime(_)) => Ok(()),
                (PropKind::DateTime, Literal::Null) if matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                    Ok(())
                }
                _ => mismatch(),
            }
        }
    }
}

/// A property value of the row being filtered.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Text(String),
    DateTime(Option<DateTime<Utc>>),
    /// A collection of complex values, each its (property, value) pairs, for `any(...)`.
    Items(Vec<Vec<(&'static str, Value)>>),
}

/// Evaluates a validated filter. `get` returns the row's value for a property path.
pub(crate) fn eval(expr: &Expr, get: &dyn Fn(&str) -> Value) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, get) && eval(b, get),
        Expr::Or(a, b) => eval(a, get) || eval(b, get),
        Expr::Not(a) => !eval(a, get),
        Expr::Any(collection, body) => match get(collection) {
            Value::Items(items) => items.iter().any(|item| {
                eval(body, &|p: &str| {
                    item.iter()
                        .find(|(k, _)| *k == p)
                        .map(|(_, v)| v.clone())
                        .unwrap_or(Value::Text(String::new()))
                })
            }),
            _ => false,
        },
        Expr::Func(f, target, Operand::Lit(Literal::Str(needle))) => {
            let Some((name, _)) = property_of(target) else {
                return false;
            };
            let Value::Text(hay) = get(name) else {
                return false;
            };
            let (hay, needle) = (hay.to_lowercase(), needle.to_lowercase());
            match f {
                StrFunc::Contains => hay.contains(&needle),
                StrFunc::StartsWith => hay.starts_with(&needle),
                StrFunc::EndsWith => hay.ends_with(&needle),
            }
        }
        Expr::Func(..) => false,
        Expr::Cmp(left, op, Operand::Lit(lit)) => {
            let Some((name, _)) = property_of(left) else {
                return false;
            };
            let ordering = match (get(name), lit) {
                (Value::Text(v), Literal::Str(s) | Literal::Guid(s)) => {
                    // Directory strings, enum members and GUIDs compare case-insensitively;
                    // for enums validation already required an exact member name.
                    Some(v.to_lowercase().cmp(&s.to_lowercase()))
                }
                (Value::DateTime(Some(v)), Literal::DateTime(d)) => Some(v.cmp(d)),
                (Value::DateTime(v), Literal::Null) => {
                    return match op {
                        CmpOp::Eq => v.is_none(),
                        CmpOp::Ne => v.is_some(),
                        _ => false,
                    };
                }
                _ => None,
            };
            let Some(o) = ordering else {
                return false;
            };
            use std::cmp::Ordering::*;
            match op {
                CmpOp::Eq => o == Equal,
                CmpOp::Ne => o != Equal,
                CmpOp::Gt => o == Greater,
                CmpOp::Ge => o != Less,
                CmpOp::Lt => o == Less,
                CmpOp::Le => o != Greater,
            }
        }
        Expr::Cmp(..) => false,
    }
}

/// Parse + validate in one step, as the route handlers need it.
pub(crate) fn compile(input: &str, schema: &Schema, strict: bool) -> Result<Expr, FilterError> {
    let e = parse(input)?;
    validate(&e, schema, strict)?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn ok(f: &str, s: &Schema) -> Expr {
        compile(f, s, false).unwrap_or_else(|e| panic!("{f}: {}", e.message))
    }

    fn rejected(f: &str, s: &Schema, strict: bool) -> String {
        match compile(f, s, strict) {
            Ok(e) => panic!("{f} accepted: {e:?}"),
            Err(e) => e.message,
        }
    }

    #[test]
    fn accepts_documented_request_filters() {
        ok("state eq 'deliveryFailed'", &V1_REQUEST);
        ok("createdDateTime gt 2022-04-01T00:00:01Z", &V1_REQUEST);
        ok(
            "createdDateTime le 2022-04-01T00:00:01.1234567Z",
            &V1_REQUEST,
        );
        ok(
            "accessPackage/id eq '9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea'",
            &V1_REQUEST,
        );
        ok("(requestState eq 'PendingApproval')", &BETA_REQUEST);
        ok("requestState eq 'deliveryfailed'", &BETA_REQUEST);
        ok(
            "state eq 'deliveryFailed' and accessPackage/id eq '9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea'",
            &V1_REQUEST,
        );
        ok(
            "(state eq 'deliveryFailed' or state eq 'partiallyDelivered') and createdDateTime ge 2026-01-01T00:00:00Z",
            &V1_REQUEST,
        );
    }

    #[test]
    fn rejects_what_graph_rejects() {
        let m = rejected(
            "completedDateTime lt 2026-01-01T00:00:00Z",
            &V1_REQUEST,
            false,
        );
        assert!(m.contains("completedDateTime"), "{m}");
        let m = rejected(
            "completedDate lt 2026-01-01T00:00:00Z",
            &BETA_REQUEST,
            false,
        );
        assert!(m.contains("completedDate"), "{m}");
        rejected("state ne 'delivered'", &V1_REQUEST, false);
        rejected("state gt 'delivered'", &V1_REQUEST, false);
        rejected("state eq 'DeliveryFailed'", &V1_REQUEST, false);
        rejected("state eq 'bogus'", &V1_REQUEST, false);
        rejected("requestState eq 'DeliveryFailed'", &V1_REQUEST, false);
        rejected("state eq 'delivered'", &BETA_REQUEST, false);
        rejected("frobnicate eq 'x'", &V1_REQUEST, false);
        rejected(
            "createdDateTime gt '2022-04-01T00:00:01Z'",
            &V1_REQUEST,
            false,
        );
        rejected("state eq 'deliveryFailed", &V1_REQUEST, false);
        rejected("state eq", &V1_REQUEST, false);
        rejected("state eq 'delivered')", &V1_REQUEST, false);
        rejected("(state eq 'delivered'", &V1_REQUEST, false);
        rejected("state eq 'delivered' and", &V1_REQUEST, false);
        rejected("not state eq 'delivered'", &V1_REQUEST, false);
        rejected("", &V1_REQUEST, false);
        rejected("state == 'delivered'", &V1_REQUEST, false);
        rejected("contains(state,'deliver')", &V1_REQUEST, false);
        rejected("endswith(displayName,'x')", &V1_PACKAGE, false);
    }

    /// `directoryAudit`: `targetResources/any(t: t/id eq '…')` and `correlationId eq '…'` as the
    /// resource page documents them; what it does not document is refused.
    #[test]
    fn audit_lambdas_and_correlation_ids() {
        const REQ: &str = "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea";
        let row = |p: &str| match p {
            "targetResources" => Value::Items(vec![
                vec![
                    ("id", Value::Text("other".into())),
                    ("displayName", Value::Text("Sales wiki".into())),
                ],
                vec![("id", Value::Text(REQ.to_ascii_uppercase()))],
            ]),
            "correlationId" => Value::Text("c0ffee00-0000-4000-8000-000000000001".into()),
            "activityDisplayName" => {
                Value::Text("Fulfill access package resource assignment".into())
            }
            _ => Value::Text(String::new()),
        };
        let e = ok(
            &format!("targetResources/any(t: t/id eq '{REQ}')"),
            &DIRECTORY_AUDIT,
        );
        assert!(eval(&e, &row));
        let e = ok("targetResources/any(x:x/id eq 'nobody')", &DIRECTORY_AUDIT);
        assert!(!eval(&e, &row));
        let e = ok(
            "targetResources/any(t: startswith(t/displayName, 'sales'))",
            &DIRECTORY_AUDIT,
        );
        assert!(eval(&e, &row));
        let e = ok(
            &format!(
                "activityDisplayName eq 'Fulfill access package resource assignment' and targetResources/any(t: t/id eq '{REQ}')"
            ),
            &DIRECTORY_AUDIT,
        );
        assert!(eval(&e, &row));
        let e = ok(
            "correlationId eq 'c0ffee00-0000-4000-8000-000000000001'",
            &DIRECTORY_AUDIT,
        );
        assert!(eval(&e, &row));
        // An Edm.String takes a quoted literal only.
        rejected(
            "correlationId eq c0ffee00-0000-4000-8000-000000000001",
            &DIRECTORY_AUDIT,
            false,
        );
        for bad in [
            "targetResources/all(t: t/id eq 'x')",
            "targetResources/any()",
            "targetResources/any(t: id eq 'x')",
            "targetResources/any(t: t/type eq 'User')",
            "targetResources/any(t: t/id ne 'x')",
            "targetResources/any(t: t/frob eq 'x')",
            "initiatedBy/any(t: t/id eq 'x')",
            "additionalDetails/any(t: t/key eq 'x')",
            "targetResources eq 'x'",
        ] {
            rejected(bad, &DIRECTORY_AUDIT, false);
        }
        rejected(
            &format!("targetResources/any(t: t/id eq '{REQ}')"),
            &V1_REQUEST,
            false,
        );
        // Times still tokenize with their colons.
        ok(
            "activityDateTime ge 2026-01-01T10:00:00Z and targetResources/any(t:t/id eq 'x')",
            &DIRECTORY_AUDIT,
        );
    }

    #[test]
    fn strict_mode_rejects_and_or() {
        let both = "state eq 'deliveryFailed' and accessPackage/id eq '9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea'";
        rejected(both, &V1_REQUEST, true);
        rejected(
            "state eq 'deliveryFailed' or state eq 'delivered'",
            &V1_REQUEST,
            true,
        );
        compile("(state eq 'deliveryFailed')", &V1_REQUEST, true).unwrap();
    }

    #[test]
    fn quotes_are_escaped_by_doubling() {
        let e = ok("displayName eq 'Partners'' Portal'", &V1_PACKAGE);
        let get = |_: &str| Value::Text("partners' portal".into());
        assert!(eval(&e, &get));
        let e = ok("contains(tolower(displayName),'o''c')", &V1_PACKAGE);
        assert!(eval(&e, &|_: &str| Value::Text("Siobhán O'Connor".into())));
        rejected("displayName eq 'Partners' Portal'", &V1_PACKAGE, false);
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let clause = "state eq 'deliveryFailed'";
        let nested = |n: usize| format!("{}{clause}{}", "(".repeat(n), ")".repeat(n));
        ok(&nested(MAX_DEPTH), &V1_REQUEST);
        for n in [MAX_DEPTH + 1, 3_000, 100_000] {
            let m = rejected(&nested(n), &V1_REQUEST, false);
            assert!(m.contains("nested more than 100 levels"), "{m}");
        }
        let m = rejected(
            &format!("{}{clause}", "not ".repeat(5_000)),
            &V1_REQUEST,
            false,
        );
        assert!(m.contains("nested") || m.contains("node count"), "{m}");
        let m = rejected(
            &format!(
                "{}displayName{} eq 'x'",
                "tolower(".repeat(5_000),
                ")".repeat(5_000)
            ),
            &V1_PACKAGE,
            false,
        );
        assert!(m.contains("nested") || m.contains("node count"), "{m}");
        // Unbalanced: only opening parentheses.
        let m = rejected(&"(".repeat(50_000), &V1_REQUEST, false);
        assert!(m.contains("nested"), "{m}");
    }

    #[test]
    fn long_chains_are_bounded_by_the_node_count() {
        let chain = |n: usize| vec!["state eq 'deliveryFailed'"; n].join(" and ");
        ok(&chain(MAX_NODES / 2), &V1_REQUEST);
        let m = rejected(&chain(50_000), &V1_REQUEST, false);
        assert!(m.contains("node count limit of '100'"), "{m}");
    }

    fn filter_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let atom = prop::sample::select(vec![
            "(",
            ")",
            "(",
            ")",
            " and ",
            " or ",
            "not ",
            "state",
            " eq ",
            "'deliveryFailed'",
            "displayName",
            "contains(",
            "tolower(",
            ",",
            "'x'",
            "2026-01-01T00:00:00Z",
            "9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
            "createdDateTime",
            " gt ",
            "null",
            "'",
            "é",
            "\u{202e}",
            "\u{0}",
        ]);
        prop::collection::vec(atom, 0..400).prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #[test]
        fn parsing_any_input_never_panics_and_depth_stays_bounded(input in filter_text()) {
            for schema in [&V1_REQUEST, &V1_PACKAGE] {
                if let Ok(e) = compile(&input, schema, false) {
                    proptest::prop_assert!(depth(&e) <= MAX_DEPTH + MAX_NODES + 2);
                    let _ = eval(&e, &|_: &str| Value::Text("x".into()));
                }
            }
        }

        #[test]
        fn arbitrary_text_never_panics(input in proptest::prelude::any::<String>()) {
            let _ = parse(&input);
        }
    }

    fn depth(e: &Expr) -> usize {
        match e {
            Expr::And(a, b) | Expr::Or(a, b) => 1 + depth(a).max(depth(b)),
            Expr::Not(a) | Expr::Any(_, a) => 1 + depth(a),
            Expr::Cmp(..) | Expr::Func(..) => 1,
        }
    }

    #[test]
    fn evaluates_packages_and_requests() {
        let e = ok("startswith(displayName,'sales')", &V1_PACKAGE);
        assert!(eval(&e, &|_: &str| Value::Text("Sales Onboarding".into())));
        assert!(!eval(&e, &|_: &str| Value::Text("EMEA Sales".into())));
        let e = ok("contains(displayName,'ONBOARD')", &V1_PACKAGE);
        assert!(eval(&e, &|_: &str| Value::Text("Sales Onboarding".into())));

        let t = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).single().unwrap();
        let row = move |p: &str| match p {
            "state" => Value::Text("deliveryFailed".into()),
            "createdDateTime" => Value::DateTime(Some(t)),
            "accessPackage/id" => Value::Text("9BBE5F7D-F1E7-4EB1-A586-38CDF6F8B1EA".into()),
            _ => Value::Text(String::new()),
        };
        assert!(eval(&ok("state eq 'deliveryFailed'", &V1_REQUEST), &row));
        assert!(!eval(&ok("state eq 'delivered'", &V1_REQUEST), &row));
        assert!(eval(
            &ok("createdDateTime ge 2026-05-01T00:00:00Z", &V1_REQUEST),
            &row
        ));
        assert!(!eval(
            &ok("createdDateTime gt 2026-05-01T00:00:00Z", &V1_REQUEST),
            &row
        ));
        assert!(eval(
            &ok(
                "accessPackage/id eq 9bbe5f7d-f1e7-4eb1-a586-38cdf6f8b1ea",
                &V1_REQUEST
            ),
            &row
        ));
        assert!(eval(
            &ok(
                "state eq 'delivered' or (createdDateTime lt 2026-06-01T00:00:00Z and state eq 'deliveryFailed')",
                &V1_REQUEST
            ),
            &row
        ));
    }
}
