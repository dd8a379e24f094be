//! The dependency rules of `src/`, checked rather than remembered: no import cycle between
//! top-level modules, leaves that import nothing but other leaves, and an emulator crate that
//! depends on nothing of ep.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Modules that may import only each other: the shared pieces everything else builds on.
const LEAVES: &[&str] = &["cloud", "diag", "http", "redact", "sanitize"];
/// The only modules that may know about clap or exit codes (besides `cli`, the clap tree).
const EDGE: &[&str] = &["cli", "commands", "config", "error", "lib"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to: `src/graph/batch.rs` → `graph`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// Code without comments and without the test module at the end of the file (tests may reach
/// anywhere), and nothing at all for files that exist only under `#[cfg(test)]`.
fn production_code(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    if file.ends_with("graph/fuzz.rs") {
        return String::new();
    }
    let code = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    code.lines()
        .map(|l| l.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&src, &file);
        let code = production_code(&file);
        let deps = graph.entry(module.clone()).or_default();
        for (i, _) in code.match_indices("crate::") {
            let name: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && name != module {
                deps.insert(name);
            }
        }
    }
    graph
}

fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|n| n == node) {
            return Some(path[i..].to_vec());
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_module_graph_of_src_has_no_cycle() {
    let graph = module_graph();
    assert!(graph.len() > 10, "{graph:?}");
    assert_eq!(find_cycle(&graph), None, "{graph:#?}");
}

#[test]
fn leaves_import_only_leaves() {
    for (module, deps) in module_graph() {
        if LEAVES.contains(&module.as_str()) {
            let outside: Vec<_> = deps
                .iter()
                .filter(|d| !LEAVES.contains(&d.as_str()))
                .collect();
            assert!(outside.is_empty(), "leaf {module} imports {outside:?}");
        }
    }
}

#[test]
fn only_the_edge_knows_clap_or_exit_codes() {
    let src = root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    for file in files {
        let module = module_of(&src, &file);
        if EDGE.contains(&module.as_str()) {
            continue;
        }
        let code = production_code(&file);
        for word in ["clap::", "ExitStatus", "crate::error"] {
            assert!(!code.contains(word), "{} uses {word}", file.display());
        }
    }
}

#[test]
fn the_emulator_crate_depends_on_nothing_of_ep() {
    let manifest = std::fs::read_to_string(root().join("emulator/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap();
    assert!(
        deps.lines()
            .all(|l| !l.trim_start().starts_with("ep ") && !l.contains("path = \"..")),
        "{deps}"
    );
    let mut files = Vec::new();
    rust_files(&root().join("emulator/src"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("ep::"), "{} uses ep", file.display());
    }
}
