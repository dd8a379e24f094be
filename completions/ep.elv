
use builtin;
use str;

set edit:completion:arg-completer[ep] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'ep'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'ep'= {
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand packages 'Access packages'
            cand requests 'Access package assignment requests'
            cand reprocess 'Reprocess failed requests (each is checked first; ineligible ones are skipped)'
            cand completions 'Print a shell completion script'
            cand emulator 'Run the built-in Graph-compatible emulator'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ep;packages'= {
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List access packages with their catalogs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ep;packages;list'= {
            cand --search 'Keep packages whose display name contains TEXT (case-insensitive)'
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ep;packages;help'= {
            cand list 'List access packages with their catalogs'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ep;packages;help;list'= {
        }
        &'ep;packages;help;help'= {
        }
        &'ep;requests'= {
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List a package''s assignment requests, newest first, with whether each can be reprocessed'
            cand show 'Show one request in full'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ep;requests;list'= {
            cand --package 'Access package id (GUID) or display name'
            cand --state 'Only these states (comma-separated), e.g. deliveryFailed,partiallyDelivered'
            cand --window 'Reprocess eligibility window after completion'
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --all-packages 'Every package the caller can see'
            cand --reprocessable 'Only requests that can be reprocessed now'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ep;requests;show'= {
            cand --window 'Reprocess eligibility window after completion'
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ep;requests;help'= {
            cand list 'List a package''s assignment requests, newest first, with whether each can be reprocessed'
            cand show 'Show one request in full'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ep;requests;help;list'= {
        }
        &'ep;requests;help;show'= {
        }
        &'ep;requests;help;help'= {
        }
        &'ep;reprocess'= {
            cand --package 'Access package id (GUID) or display name, with --all or --select (or to narrow --all-failed)'
            cand --timeout 'With --wait: how long to poll before giving up'
            cand --concurrency 'Requests sent at once'
            cand --window 'Reprocess eligibility window after completion'
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --all 'Every reprocessable request of --package'
            cand --all-failed 'Every reprocessable request in scope (tenant-wide without --package)'
            cand --select 'Pick requests of --package from a list (needs a terminal)'
            cand --dry-run 'Print the plan and send nothing'
            cand -y 'Do not ask for confirmation'
            cand --yes 'Do not ask for confirmation'
            cand --force 'Send requests that look ineligible anyway (Graph has the last word)'
            cand --wait 'After reprocessing, poll each request until it leaves `delivering` and report its final state'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ep;completions'= {
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ep;emulator'= {
            cand --port 'Port on 127.0.0.1 (0 = any free port)'
            cand --seed 'Seed for the generated tenant; the same seed gives the same data'
            cand --requests 'Number of assignment requests'
            cand --packages 'Number of access packages (at least 2)'
            cand --latency-ms 'Added to every response'
            cand --rate 'Throttle above this many requests per second (429 + Retry-After)'
            cand --burst 'Token-bucket size for --rate'
            cand --fault-rate 'Share of calls answered 503/504 (0.0–1.0)'
            cand --fault-reset 'Share of Graph calls whose connection is reset with no response, doing nothing (0.0–1.0)'
            cand --lost-ack 'Share of reprocess calls (and batches with one) performed, then reset unanswered (0.0–1.0)'
            cand --retry-after 'How 429/503 Retry-After is written'
            cand --outage 'Extra recent failed requests, as after a connector outage (in addition to --requests)'
            cand --page-size 'Items per page'
            cand --settle-ms 'How long a reprocessed request stays `delivering`'
            cand --refail-rate 'Share of reprocessed requests that fail again (0.0–1.0)'
            cand --token-ttl 'Lifetime of issued access tokens'
            cand --graph-url 'Microsoft Graph root URL (default: the cloud''s Graph host)'
            cand --cloud 'National cloud: sets the Graph host, login host and token scope'
            cand --api-version 'Graph API version; beta field names are read and shown in the v1.0 vocabulary'
            cand --tenant 'Directory (tenant) id or domain'
            cand --client-id 'Application (client) id'
            cand --authority-host 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)'
            cand --auth 'Credential source; `auto` tries them in the documented order'
            cand -o 'Output format; machine formats carry no colour or decoration'
            cand --output 'Output format; machine formats carry no colour or decoration'
            cand --retries 'Retries per Graph call after throttling (429), 5xx or a dropped connection'
            cand --fault-html 'Injected faults answer 502 with a proxy''s HTML page instead of OData 503/504'
            cand --catalog-scoped 'The demo apps hold roles on all catalogs but one: tenant-wide request listing answers 403'
            cand --strict-filters 'Answer 400 to $filter expressions that combine clauses with and/or, like a stricter server'
            cand --legacy-beta-path 'beta only: use the deprecated accessPackageAssignmentRequests collection'
            cand --demo 'Run against the built-in emulator with demo data (no tenant needed)'
            cand -v 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand --verbose 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
            cand -q 'Print only results and errors'
            cand --quiet 'Print only results and errors'
            cand --no-color 'No colour in tables (also: NO_COLOR)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'ep;help'= {
            cand packages 'Access packages'
            cand requests 'Access package assignment requests'
            cand reprocess 'Reprocess failed requests (each is checked first; ineligible ones are skipped)'
            cand completions 'Print a shell completion script'
            cand emulator 'Run the built-in Graph-compatible emulator'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'ep;help;packages'= {
            cand list 'List access packages with their catalogs'
        }
        &'ep;help;packages;list'= {
        }
        &'ep;help;requests'= {
            cand list 'List a package''s assignment requests, newest first, with whether each can be reprocessed'
            cand show 'Show one request in full'
        }
        &'ep;help;requests;list'= {
        }
        &'ep;help;requests;show'= {
        }
        &'ep;help;reprocess'= {
        }
        &'ep;help;completions'= {
        }
        &'ep;help;emulator'= {
        }
        &'ep;help;help'= {
        }
    ]
    $completions[$command]
}
