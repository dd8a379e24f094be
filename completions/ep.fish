# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_ep_global_optspecs
    string join \n graph-url= cloud= api-version= legacy-beta-path tenant= client-id= authority-host= auth= profile= service-connection-id= client-secret-file= assertion-alg= o/output= query= full-ids retries= max-wait= concurrency= no-batch demo demo-reset v/verbose q/quiet no-color color= h/help V/version
end

function __fish_ep_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_ep_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_ep_using_subcommand
    set -l cmd (__fish_ep_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c ep -n "__fish_ep_needs_command" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_needs_command" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_needs_command" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_needs_command" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_needs_command" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_needs_command" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_needs_command" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_needs_command" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_needs_command" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_needs_command" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_needs_command" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_needs_command" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_needs_command" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_needs_command" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_needs_command" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_needs_command" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_needs_command" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_needs_command" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_needs_command" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_needs_command" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_needs_command" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_needs_command" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_needs_command" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_needs_command" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_needs_command" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_needs_command" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_needs_command" -f -a "packages" -d 'Access packages'
complete -c ep -n "__fish_ep_needs_command" -f -a "resume" -d 'Resume requests waiting on a custom extension\'s callback'
complete -c ep -n "__fish_ep_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c ep -n "__fish_ep_needs_command" -f -a "emulator" -d 'Run the built-in Graph-compatible emulator'
complete -c ep -n "__fish_ep_needs_command" -f -a "auth" -d 'Sign in, see which credential is in use, sign out'
complete -c ep -n "__fish_ep_needs_command" -f -a "man" -d 'Print a man page (roff: read it with `man -l -`)'
complete -c ep -n "__fish_ep_needs_command" -f -a "api" -d 'Call any Graph endpoint with ep\'s sign-in, pacing and retries'
complete -c ep -n "__fish_ep_needs_command" -f -a "requests" -d 'Access package assignment requests'
complete -c ep -n "__fish_ep_needs_command" -f -a "reprocess" -d 'Reprocess failed requests (ineligible ones are skipped)'
complete -c ep -n "__fish_ep_needs_command" -f -a "config" -d 'Named profiles of settings: tenant, app, cloud, sign-in, …'
complete -c ep -n "__fish_ep_needs_command" -f -a "help" -d 'A command\'s help, or every global option (`ep help options`)'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand packages; and not __fish_seen_subcommand_from list" -f -a "list" -d 'List access packages with their catalogs'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l search -d 'Keep packages whose display name contains TEXT (case-insensitive)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand packages; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand resume" -l stage -d 'The stage the callout waits at: created, approved, granted or removed' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l source -d 'Who resumes, kept by Graph for auditing (the body\'s `source`)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l detail -d 'What the callback says (`customExtensionStageInstanceDetail`)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l journal -d 'Journal of reprocess and resume outcomes' -r -F
complete -c ep -n "__fish_ep_using_subcommand resume" -l journal-window -d 'Skip requests the journal shows were accepted this recently' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand resume" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand resume" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand resume" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand resume" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand resume" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand resume" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand resume" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand resume" -l deny -d 'Deny the request instead of letting it go on (request-created stage only)'
complete -c ep -n "__fish_ep_using_subcommand resume" -l cancel -d 'Cancel the request instead of letting it go on (request-created stage only)'
complete -c ep -n "__fish_ep_using_subcommand resume" -l dry-run -d 'Print the plan and send nothing'
complete -c ep -n "__fish_ep_using_subcommand resume" -s y -l yes -d 'Do not ask for confirmation'
complete -c ep -n "__fish_ep_using_subcommand resume" -l no-journal -d 'Keep no journal, and do not consult it'
complete -c ep -n "__fish_ep_using_subcommand resume" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand resume" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand resume" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand resume" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand resume" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand resume" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand resume" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand resume" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand resume" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand completions" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand completions" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand completions" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand completions" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand completions" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand completions" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand completions" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand completions" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand completions" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand completions" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand completions" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand completions" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand completions" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand completions" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand completions" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand completions" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand completions" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l port -d 'Port on 127.0.0.1 (0 = any free port)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l seed -d 'Seed for the generated tenant; the same seed gives the same data' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l requests -d 'Number of assignment requests' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l packages -d 'Number of access packages (at least 2)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l latency-ms -d 'Added to every response (at most 600000, 10 minutes)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l rate -d 'Throttle above this many requests per second (429 + Retry-After)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l burst -d 'Token-bucket size for --rate' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l fault-rate -d 'Share of calls answered 503/504 (0.0–1.0)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l fault-reset -d 'Share of Graph calls whose connection is reset with no response, doing nothing (0.0–1.0)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l lost-ack -d 'Share of reprocess calls (and batches with one) performed, then reset unanswered (0.0–1.0)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l fault-scope -d 'Which calls injected faults hit: any, whole requests only, or $batch sub-requests only' -r -f -a "any\t'Any call: top-level requests (the `$batch` POST included) and sub-requests alike'
requests\t'Only whole HTTP requests: a direct call or a `$batch` POST as a whole'
sub-requests\t'Only sub-requests inside a `$batch`; the batch itself is answered 200'"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l retry-after -d 'How 429/503 Retry-After is written (mixed: whole, fractional or none, drawn per 429)' -r -f -a "rotate\t'Cycle through whole seconds, fractional seconds and no header (429s); 503s carry `1` or nothing'
seconds\t'Whole seconds, rounded up (at least 1)'
fraction\t'Seconds with two decimals, rounded up (e.g. `0.35`)'
mixed\t'Each 429 drawn at random (seeded): whole seconds or a fraction, and one in seven with no header at all, as a service whose throttles come from several front ends might'
date\t'An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), rounded up to the next whole second'
absent\t'No `Retry-After` at all: the client must back off on its own'"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l outage -d 'Extra recent failed requests, as after a connector outage (in addition to --requests)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l page-size -d 'Items per page' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l paging -d 'What a nextLink\'s $skiptoken stands for, and so what a client sees when requests change state or appear between its pages' -r -f -a "offset\t'The token counts the rows served (SQL OFFSET): a row leaving the result before the cursor makes a later row be skipped; a row entering it makes one come twice'
snapshot\t'The first page stores which rows matched; later pages serve those rows as they are now, skipping none and adding none'
key\t'The token is a position in the stable order (keyset paging): nothing is skipped or repeated, and rows that change or appear behind the cursor are not seen'"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l live-changes -d 'Changes the tenant makes by itself while listed: a new failed request, a failed one delivered, or a delivered one failed (0 = none)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l live-every -d 'One live change before every N-th listing page of the requests (at least 1)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l settle-ms -d 'How long a reprocessed request stays `delivering` (at most 86400000, a day)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l refail-rate -d 'Share of reprocessed requests that fail again (0.0–1.0)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l trial-window-ms -d 'How long the service retries a reprocess that fails again, showing the failed state unchanged and refusing repeats' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l recover-delay-ms -d 'How long a reprocess that recovers keeps showing the failed state before `delivering`' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l repeat-refusal -d 'HTTP status refusing a repeat reprocess while the service still retries (400 or 409)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l reprocess-window-days -d 'Days after completion within which reprocess is accepted (Graph: 14, portal: 7)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l catalog-refusal -d 'HTTP status refusing a catalog-scoped caller\'s tenant-wide listing (403 or 400)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l token-ttl -d 'Lifetime of issued access tokens (at most 86400, a day, as Entra\'s)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l client-certificate -d 'Trust this PEM certificate for the demo app\'s client assertions (--auth certificate)' -r -F
complete -c ep -n "__fish_ep_using_subcommand emulator" -l device-code-interval -d 'Seconds between device-code polls that the device-code endpoint asks for (at most 3600)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l directory-lag -d 'How many times an app registered through Graph is not found yet, by service principal creation and by sign-in, as while a new registration replicates' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l arc-key-dir -d 'Play Azure Arc: the IMDS path challenges with key files written into DIR' -r -F
complete -c ep -n "__fish_ep_using_subcommand emulator" -l imds-failures -d 'The IMDS path\'s first answers, in order, e.g. 410,410 while IMDS updates' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l audit-rate -d 'The audit log\'s own throttle, in requests per second (Graph documents 5 per 10 s)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l audit-burst -d 'Token-bucket size for --audit-rate' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l audit-correlation -d 'How audit events name their request (undocumented): in targetResources, or only by requestor and access package' -r -f -a "request-id\t'The request id is one of the event\'s `targetResources`'
requestor\t'Only the requestor and the access package are named; match by time'"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand emulator" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand emulator" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand emulator" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand emulator" -l fault-html -d 'Injected faults answer 502 with a proxy\'s HTML page instead of OData 503/504'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l catalog-scoped -d 'The demo apps hold roles on all catalogs but one: tenant-wide request listing answers 403'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l visible-refail -d 'Older model: a reprocess that fails again shows `delivering` first, then `deliveryFailed`'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l lenient-batch-writes -d 'Accept $batch write sub-requests without body and Content-Type (Graph refuses them)'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l batch-refuses-writes -d 'Refuse every $batch that carries a write sub-request, however well-formed'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l strict-filters -d 'Answer 400 to $filter expressions that combine clauses with and/or, like a stricter server'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l resource-roles-unavailable -d 'beta\'s accessPackageAssignmentResourceRoles answers 404, as where it is not available'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l resource-roles-forbidden -d 'beta\'s accessPackageAssignmentResourceRoles answers 403, as to an app not allowed that beta call (the v1.0 calls still answer)'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand emulator" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand emulator" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand emulator" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand emulator" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand emulator" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -f -a "setup" -d 'Register ep in your tenant and sign in: one step from nothing to a working sign-in'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -f -a "login" -d 'Sign in as a person with the device-code flow; tokens are kept for later runs'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -f -a "status" -d 'Which credential source ep uses, for which tenant, app and cloud, and until when'
complete -c ep -n "__fish_ep_using_subcommand auth; and not __fish_seen_subcommand_from setup login status logout" -f -a "logout" -d 'Forget the tokens cached by `ep auth login`'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l name -d 'The app registration\'s display name' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l no-audit -d 'Leave out AuditLog.Read.All (`requests why` then explains less)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l no-login -d 'Register and save the profile, but do not sign in now'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l insecure-storage -d 'Keep the tokens in a plain file readable by you only, not in the OS keyring'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from setup" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l insecure-storage -d 'Keep the tokens in a plain file readable by you only, not in the OS keyring'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand auth; and __fish_seen_subcommand_from logout" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand man" -l dir -d 'Write every page (ep.1, ep-reprocess.1, …) into DIR instead of printing one' -r -F
complete -c ep -n "__fish_ep_using_subcommand man" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand man" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand man" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand man" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand man" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand man" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand man" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand man" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand man" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand man" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand man" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand man" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand man" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand man" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand man" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand man" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand man" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand api" -s X -l method -d 'The HTTP method' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l body -d 'The request body: JSON, or \'-\' to read it from stdin' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand api" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand api" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand api" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand api" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand api" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand api" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand api" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand api" -l paginate -d 'Follow @odata.nextLink and return the items of every page'
complete -c ep -n "__fish_ep_using_subcommand api" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand api" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand api" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand api" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand api" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand api" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand api" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand api" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand api" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand api" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -f -a "show" -d 'Show one request in full, with its delivery: expected resources, custom extension calls, audit events and the cause'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -f -a "list" -d 'List a package\'s assignment requests, newest first, with whether each can be reprocessed'
complete -c ep -n "__fish_ep_using_subcommand requests; and not __fish_seen_subcommand_from show list why" -f -a "why" -d 'Why failed requests failed: grouped by cause, with how many can still be reprocessed and when the first of them leaves the window'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l window -d 'Reprocess eligibility window after completion (a bare number is days)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l package -d 'Access package id (GUID), display name, or the start of one display name' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l state -d 'Only these states (comma-separated), e.g. deliveryFailed,partiallyDelivered' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l closing-within -d 'Only reprocessable requests whose window closes within DUR (e.g. 24h): what a nightly job would otherwise lose' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l window -d 'Reprocess eligibility window after completion (a bare number is days)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l all-packages -d 'Every package the caller can see'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l reprocessable -d 'Only requests that can be reprocessed now'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l waiting -d 'Only requests waiting on a custom extension\'s callback (not failed: see \'ep resume\')'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l package -d 'Access package id (GUID), display name or the start of one (default: every package)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l window -d 'Reprocess eligibility window after completion (a bare number is days)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l all-packages -d 'Every package the caller can see (the default)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand requests; and __fish_seen_subcommand_from why" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l package -d 'Access package id or name, for --all or --select (or to narrow --all-failed)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l closing-within -d 'Only requests whose reprocess window closes within DUR (e.g. 24h)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l timeout -d 'With --wait: how long to poll' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l journal -d 'Journal of reprocess and resume outcomes' -r -F
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l journal-window -d 'Skip requests the journal shows were accepted this recently' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l summary-file -d 'Append a Markdown summary of the run to FILE' -r -F
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l window -d 'Reprocess eligibility window after completion (a bare number is days)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand reprocess" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l all -d 'Every reprocessable request of --package'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l all-failed -d 'Every reprocessable request in scope (tenant-wide without --package)'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l select -d 'Pick requests of --package from a list (needs a terminal)'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l dry-run -d 'Print the plan and send nothing'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -s y -l yes -d 'Do not ask for confirmation'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l force -d 'Send requests that look ineligible anyway, and allow a --window beyond Graph\'s 14 days (Graph has the last word)'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l wait -d 'Then poll each request until it settles, and report its final state'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l no-journal -d 'Keep no journal, and do not consult it'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand reprocess" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "list" -d 'List the profiles, marking the default'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "path" -d 'Print the config file\'s path'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "show" -d 'Show a profile\'s settings (default: the profile in use)'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "use" -d 'Make a profile the default (used when neither --profile nor EP_PROFILE is given)'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "remove" -d 'Delete a profile'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "set" -d 'Set a setting of a profile, creating the profile if it is new'
complete -c ep -n "__fish_ep_using_subcommand config; and not __fish_seen_subcommand_from list path show use remove set unset" -f -a "unset" -d 'Remove a setting from a profile'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from path" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from use" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand config; and __fish_seen_subcommand_from unset" -s V -l version -d 'Print version'
complete -c ep -n "__fish_ep_using_subcommand help" -l graph-url -d 'Microsoft Graph root URL (default: the cloud\'s Graph host)' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l cloud -d 'National cloud: sets the Graph host, login host and token scope' -r -f -a "global\t''
usgov\t''
usgov-dod\t''
china\t''"
complete -c ep -n "__fish_ep_using_subcommand help" -l api-version -d 'Graph API version; beta field names are read and shown in the v1.0 vocabulary' -r -f -a "v1.0\t''
beta\t''"
complete -c ep -n "__fish_ep_using_subcommand help" -l tenant -d 'Directory (tenant) id or domain' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l client-id -d 'Application (client) id' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l authority-host -d 'Login host (default: the cloud\'s, e.g. https://login.microsoftonline.com)' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l auth -d 'Credential source; `auto` tries them in the documented order' -r -f -a "auto\t''
token\t''
client-secret\t''
certificate\t''
workload-identity\t''
github-actions\t''
azure-pipelines\t''
managed-identity\t''
azure-cli\t''
device-code\t''"
complete -c ep -n "__fish_ep_using_subcommand help" -l profile -d 'Named profile of settings from the config file (default: the one \'ep config use\' chose)' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l service-connection-id -d 'Azure Pipelines service connection (its id) for --auth azure-pipelines' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l client-secret-file -d 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)' -r -F
complete -c ep -n "__fish_ep_using_subcommand help" -l assertion-alg -d 'How --auth certificate signs its client assertion' -r -f -a "ps256\t'RSA-PSS with SHA-256 and an `x5t#S256` thumbprint: what the identity platform documents now'
rs256\t'RSASSA-PKCS1-v1_5 with SHA-256 and a SHA-1 `x5t` thumbprint, for older setups'"
complete -c ep -n "__fish_ep_using_subcommand help" -s o -l output -d 'Output format; machine formats carry no colour or decoration, and tsv no header (as az\'s)' -r -f -a "table\t''
json\t''
ndjson\t''
csv\t''
ids\t''
tsv\t''
markdown\t''"
complete -c ep -n "__fish_ep_using_subcommand help" -l query -d 'JMESPath query over the JSON output, as az and m365 take it, e.g. "[?reprocessable].id"; prints the result as JSON, or with -o tsv as tab-separated values' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l retries -d 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l max-wait -d 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l concurrency -d 'Graph calls in flight at once, a $batch of up to 20 counting as one (default 20, or 8 with --no-batch)' -r -f
complete -c ep -n "__fish_ep_using_subcommand help" -l color -d 'When to colour tables' -r -f -a "auto\t'at a terminal, unless NO_COLOR is set'
always\t'also when piped, whatever NO_COLOR says'
never\t''"
complete -c ep -n "__fish_ep_using_subcommand help" -l legacy-beta-path -d 'beta only: use the deprecated accessPackageAssignmentRequests collection'
complete -c ep -n "__fish_ep_using_subcommand help" -l full-ids -d 'Whole request ids in tables and the --select picker'
complete -c ep -n "__fish_ep_using_subcommand help" -l no-batch -d 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests'
complete -c ep -n "__fish_ep_using_subcommand help" -l demo -d 'Run against the built-in emulator with demo data (no tenant needed)'
complete -c ep -n "__fish_ep_using_subcommand help" -l demo-reset -d 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)'
complete -c ep -n "__fish_ep_using_subcommand help" -s v -l verbose -d 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged'
complete -c ep -n "__fish_ep_using_subcommand help" -s q -l quiet -d 'Print only results and errors'
complete -c ep -n "__fish_ep_using_subcommand help" -l no-color -d 'No colour in tables (also: NO_COLOR); the same as --color never'
complete -c ep -n "__fish_ep_using_subcommand help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c ep -n "__fish_ep_using_subcommand help" -s V -l version -d 'Print version'
