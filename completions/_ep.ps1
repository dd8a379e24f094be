
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'ep' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'ep'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'ep' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('packages', 'packages', [CompletionResultType]::ParameterValue, 'Access packages')
            [CompletionResult]::new('requests', 'requests', [CompletionResultType]::ParameterValue, 'Access package assignment requests')
            [CompletionResult]::new('reprocess', 'reprocess', [CompletionResultType]::ParameterValue, 'Reprocess failed requests (each is checked first; ineligible ones are skipped)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run the built-in Graph-compatible emulator')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Sign in, see which credential is in use, sign out')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page of ep, or of one of its commands (roff: read it with `man -l -`)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Named profiles of connection settings (tenant, app, cloud, sign-in, …)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;packages' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List access packages with their catalogs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;packages;list' {
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Keep packages whose display name contains TEXT (case-insensitive)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;packages;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List access packages with their catalogs')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;packages;help;list' {
            break
        }
        'ep;packages;help;help' {
            break
        }
        'ep;requests' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a package''s assignment requests, newest first, with whether each can be reprocessed')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Why failed requests failed: grouped by cause, with how many can still be reprocessed and when the first of them leaves the window')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request in full, with its delivery: expected resources, custom extension calls, audit events and the cause')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;requests;list' {
            [CompletionResult]::new('--package', '--package', [CompletionResultType]::ParameterName, 'Access package id (GUID) or display name')
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only these states (comma-separated), e.g. deliveryFailed,partiallyDelivered')
            [CompletionResult]::new('--closing-within', '--closing-within', [CompletionResultType]::ParameterName, 'Only reprocessable requests whose window closes within DUR (e.g. 24h): what a nightly job would otherwise lose')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Reprocess eligibility window after completion (a bare number is days)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--all-packages', '--all-packages', [CompletionResultType]::ParameterName, 'Every package the caller can see')
            [CompletionResult]::new('--reprocessable', '--reprocessable', [CompletionResultType]::ParameterName, 'Only requests that can be reprocessed now')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;requests;why' {
            [CompletionResult]::new('--package', '--package', [CompletionResultType]::ParameterName, 'Access package id (GUID) or display name (default: every package)')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Reprocess eligibility window after completion (a bare number is days)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--all-packages', '--all-packages', [CompletionResultType]::ParameterName, 'Every package the caller can see (the default)')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;requests;show' {
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Reprocess eligibility window after completion (a bare number is days)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;requests;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a package''s assignment requests, newest first, with whether each can be reprocessed')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Why failed requests failed: grouped by cause, with how many can still be reprocessed and when the first of them leaves the window')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request in full, with its delivery: expected resources, custom extension calls, audit events and the cause')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;requests;help;list' {
            break
        }
        'ep;requests;help;why' {
            break
        }
        'ep;requests;help;show' {
            break
        }
        'ep;requests;help;help' {
            break
        }
        'ep;reprocess' {
            [CompletionResult]::new('--package', '--package', [CompletionResultType]::ParameterName, 'Access package id (GUID) or display name, with --all or --select (or to narrow --all-failed)')
            [CompletionResult]::new('--closing-within', '--closing-within', [CompletionResultType]::ParameterName, 'With --all, --all-failed or --select: only requests whose reprocess window closes within DUR (e.g. 24h), so a nightly job reprocesses what would otherwise be lost')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'With --wait: how long to poll before reporting the rest as still failing or delivering')
            [CompletionResult]::new('--journal', '--journal', [CompletionResultType]::ParameterName, 'Journal of reprocess outcomes (default: ~/.local/state/ep/journal.ndjson)')
            [CompletionResult]::new('--journal-window', '--journal-window', [CompletionResultType]::ParameterName, 'Skip requests the journal shows were accepted this recently (Graph retries them itself)')
            [CompletionResult]::new('--summary-file', '--summary-file', [CompletionResultType]::ParameterName, 'Append a Markdown summary of the run to FILE: counts, and failures and skips with reasons')
            [CompletionResult]::new('--window', '--window', [CompletionResultType]::ParameterName, 'Reprocess eligibility window after completion (a bare number is days)')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every reprocessable request of --package')
            [CompletionResult]::new('--all-failed', '--all-failed', [CompletionResultType]::ParameterName, 'Every reprocessable request in scope (tenant-wide without --package)')
            [CompletionResult]::new('--select', '--select', [CompletionResultType]::ParameterName, 'Pick requests of --package from a list (needs a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the plan and send nothing')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Send requests that look ineligible anyway, and allow a --window beyond Graph''s 14 days (Graph has the last word)')
            [CompletionResult]::new('--wait', '--wait', [CompletionResultType]::ParameterName, 'After reprocessing, poll each request until it settles and report its final state')
            [CompletionResult]::new('--no-journal', '--no-journal', [CompletionResultType]::ParameterName, 'Keep no journal, and do not consult it')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;completions' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;emulator' {
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 (0 = any free port)')
            [CompletionResult]::new('--seed', '--seed', [CompletionResultType]::ParameterName, 'Seed for the generated tenant; the same seed gives the same data')
            [CompletionResult]::new('--requests', '--requests', [CompletionResultType]::ParameterName, 'Number of assignment requests')
            [CompletionResult]::new('--packages', '--packages', [CompletionResultType]::ParameterName, 'Number of access packages (at least 2)')
            [CompletionResult]::new('--latency-ms', '--latency-ms', [CompletionResultType]::ParameterName, 'Added to every response (at most 600000, 10 minutes)')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'Throttle above this many requests per second (429 + Retry-After)')
            [CompletionResult]::new('--burst', '--burst', [CompletionResultType]::ParameterName, 'Token-bucket size for --rate')
            [CompletionResult]::new('--fault-rate', '--fault-rate', [CompletionResultType]::ParameterName, 'Share of calls answered 503/504 (0.0–1.0)')
            [CompletionResult]::new('--fault-reset', '--fault-reset', [CompletionResultType]::ParameterName, 'Share of Graph calls whose connection is reset with no response, doing nothing (0.0–1.0)')
            [CompletionResult]::new('--lost-ack', '--lost-ack', [CompletionResultType]::ParameterName, 'Share of reprocess calls (and batches with one) performed, then reset unanswered (0.0–1.0)')
            [CompletionResult]::new('--fault-scope', '--fault-scope', [CompletionResultType]::ParameterName, 'Which calls injected faults hit: any, whole requests only, or $batch sub-requests only')
            [CompletionResult]::new('--retry-after', '--retry-after', [CompletionResultType]::ParameterName, 'How 429/503 Retry-After is written')
            [CompletionResult]::new('--outage', '--outage', [CompletionResultType]::ParameterName, 'Extra recent failed requests, as after a connector outage (in addition to --requests)')
            [CompletionResult]::new('--page-size', '--page-size', [CompletionResultType]::ParameterName, 'Items per page')
            [CompletionResult]::new('--paging', '--paging', [CompletionResultType]::ParameterName, 'What a nextLink''s $skiptoken stands for, and so what a client sees when requests change state or appear between its pages')
            [CompletionResult]::new('--live-changes', '--live-changes', [CompletionResultType]::ParameterName, 'Changes the tenant makes by itself while listed: a new failed request, a failed one delivered, or a delivered one failed (0 = none)')
            [CompletionResult]::new('--live-every', '--live-every', [CompletionResultType]::ParameterName, 'One live change before every N-th listing page of the requests (at least 1)')
            [CompletionResult]::new('--settle-ms', '--settle-ms', [CompletionResultType]::ParameterName, 'How long a reprocessed request stays `delivering` (at most 86400000, a day)')
            [CompletionResult]::new('--refail-rate', '--refail-rate', [CompletionResultType]::ParameterName, 'Share of reprocessed requests that fail again (0.0–1.0)')
            [CompletionResult]::new('--trial-window-ms', '--trial-window-ms', [CompletionResultType]::ParameterName, 'How long the service retries a reprocess that fails again, showing the failed state unchanged and refusing repeats')
            [CompletionResult]::new('--recover-delay-ms', '--recover-delay-ms', [CompletionResultType]::ParameterName, 'How long a reprocess that recovers keeps showing the failed state before `delivering`')
            [CompletionResult]::new('--repeat-refusal', '--repeat-refusal', [CompletionResultType]::ParameterName, 'HTTP status refusing a repeat reprocess while the service still retries (400 or 409)')
            [CompletionResult]::new('--reprocess-window-days', '--reprocess-window-days', [CompletionResultType]::ParameterName, 'Days after completion within which reprocess is accepted (Graph: 14, portal: 7)')
            [CompletionResult]::new('--catalog-refusal', '--catalog-refusal', [CompletionResultType]::ParameterName, 'HTTP status refusing a catalog-scoped caller''s tenant-wide listing (403 or 400)')
            [CompletionResult]::new('--token-ttl', '--token-ttl', [CompletionResultType]::ParameterName, 'Lifetime of issued access tokens (at most 86400, a day, as Entra''s)')
            [CompletionResult]::new('--client-certificate', '--client-certificate', [CompletionResultType]::ParameterName, 'Trust this PEM certificate for the demo app''s client assertions (--auth certificate)')
            [CompletionResult]::new('--device-code-interval', '--device-code-interval', [CompletionResultType]::ParameterName, 'Seconds between device-code polls that the device-code endpoint asks for (at most 3600)')
            [CompletionResult]::new('--arc-key-dir', '--arc-key-dir', [CompletionResultType]::ParameterName, 'Play Azure Arc: the IMDS path challenges with key files written into DIR')
            [CompletionResult]::new('--imds-failures', '--imds-failures', [CompletionResultType]::ParameterName, 'The IMDS path''s first answers, in order, e.g. 410,410 while IMDS updates')
            [CompletionResult]::new('--audit-rate', '--audit-rate', [CompletionResultType]::ParameterName, 'The audit log''s own throttle, in requests per second (Graph documents 5 per 10 s)')
            [CompletionResult]::new('--audit-burst', '--audit-burst', [CompletionResultType]::ParameterName, 'Token-bucket size for --audit-rate')
            [CompletionResult]::new('--audit-correlation', '--audit-correlation', [CompletionResultType]::ParameterName, 'How audit events name their request (undocumented): in targetResources, or only by requestor and access package')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--fault-html', '--fault-html', [CompletionResultType]::ParameterName, 'Injected faults answer 502 with a proxy''s HTML page instead of OData 503/504')
            [CompletionResult]::new('--catalog-scoped', '--catalog-scoped', [CompletionResultType]::ParameterName, 'The demo apps hold roles on all catalogs but one: tenant-wide request listing answers 403')
            [CompletionResult]::new('--visible-refail', '--visible-refail', [CompletionResultType]::ParameterName, 'Older model: a reprocess that fails again shows `delivering` first, then `deliveryFailed`')
            [CompletionResult]::new('--lenient-batch-writes', '--lenient-batch-writes', [CompletionResultType]::ParameterName, 'Accept $batch write sub-requests without body and Content-Type (Graph refuses them)')
            [CompletionResult]::new('--batch-refuses-writes', '--batch-refuses-writes', [CompletionResultType]::ParameterName, 'Refuse every $batch that carries a write sub-request, however well-formed')
            [CompletionResult]::new('--strict-filters', '--strict-filters', [CompletionResultType]::ParameterName, 'Answer 400 to $filter expressions that combine clauses with and/or, like a stricter server')
            [CompletionResult]::new('--resource-roles-unavailable', '--resource-roles-unavailable', [CompletionResultType]::ParameterName, 'beta''s accessPackageAssignmentResourceRoles answers 404, as where it is not available')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;auth' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in as a person with the device-code flow; tokens are cached for later runs')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which credential source ep uses, for which tenant, app and cloud, and until when')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the tokens cached by `ep auth login`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;auth;login' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;auth;status' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;auth;logout' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in as a person with the device-code flow; tokens are cached for later runs')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which credential source ep uses, for which tenant, app and cloud, and until when')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the tokens cached by `ep auth login`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;auth;help;login' {
            break
        }
        'ep;auth;help;status' {
            break
        }
        'ep;auth;help;logout' {
            break
        }
        'ep;auth;help;help' {
            break
        }
        'ep;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write every page (ep.1, ep-reprocess.1, …) into DIR instead of printing one')
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles, marking the default')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a profile''s settings (default: the profile in use)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a setting of a profile, creating the profile if it is new')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a setting from a profile')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the default (used when neither --profile nor EP_PROFILE is given)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config file''s path')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;config;list' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;show' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;set' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;unset' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;use' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;remove' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;path' {
            [CompletionResult]::new('--graph-url', '--graph-url', [CompletionResultType]::ParameterName, 'Microsoft Graph root URL (default: the cloud''s Graph host)')
            [CompletionResult]::new('--cloud', '--cloud', [CompletionResultType]::ParameterName, 'National cloud: sets the Graph host, login host and token scope')
            [CompletionResult]::new('--api-version', '--api-version', [CompletionResultType]::ParameterName, 'Graph API version; beta field names are read and shown in the v1.0 vocabulary')
            [CompletionResult]::new('--tenant', '--tenant', [CompletionResultType]::ParameterName, 'Directory (tenant) id or domain')
            [CompletionResult]::new('--client-id', '--client-id', [CompletionResultType]::ParameterName, 'Application (client) id')
            [CompletionResult]::new('--authority-host', '--authority-host', [CompletionResultType]::ParameterName, 'Login host (default: the cloud''s, e.g. https://login.microsoftonline.com)')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'Credential source; `auto` tries them in the documented order')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile of settings from the config file (default: the one ''ep config use'' chose)')
            [CompletionResult]::new('--service-connection-id', '--service-connection-id', [CompletionResultType]::ParameterName, 'Azure Pipelines service connection (its id) for --auth azure-pipelines')
            [CompletionResult]::new('--client-secret-file', '--client-secret-file', [CompletionResultType]::ParameterName, 'Read the client secret from this file (instead of AZURE_CLIENT_SECRET)')
            [CompletionResult]::new('--assertion-alg', '--assertion-alg', [CompletionResultType]::ParameterName, 'How --auth certificate signs its client assertion')
            [CompletionResult]::new('--client-secret', '--client-secret', [CompletionResultType]::ParameterName, 'client-secret')
            [CompletionResult]::new('--access-token', '--access-token', [CompletionResultType]::ParameterName, 'access-token')
            [CompletionResult]::new('--password', '--password', [CompletionResultType]::ParameterName, 'password')
            [CompletionResult]::new('--certificate-password', '--certificate-password', [CompletionResultType]::ParameterName, 'certificate-password')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format; machine formats carry no colour or decoration')
            [CompletionResult]::new('--retries', '--retries', [CompletionResultType]::ParameterName, 'Retries per Graph call, whatever the cause: throttling (429), 5xx, a dropped or stalled connection (0 = never retry)')
            [CompletionResult]::new('--max-wait', '--max-wait', [CompletionResultType]::ParameterName, 'The most one Graph call waits in total between its retries, Retry-After included; Graph asking for longer ends the call (exit 5)')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Graph calls in flight at once (a $batch of up to 20 counts as one)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour tables')
            [CompletionResult]::new('--legacy-beta-path', '--legacy-beta-path', [CompletionResultType]::ParameterName, 'beta only: use the deprecated accessPackageAssignmentRequests collection')
            [CompletionResult]::new('--no-batch', '--no-batch', [CompletionResultType]::ParameterName, 'Send state checks and reprocess calls one HTTP request each instead of in $batch requests')
            [CompletionResult]::new('--demo', '--demo', [CompletionResultType]::ParameterName, 'Run against the built-in emulator with demo data (no tenant needed)')
            [CompletionResult]::new('--demo-reset', '--demo-reset', [CompletionResultType]::ParameterName, 'Start a new demo session, forgetting what earlier --demo runs did (implies --demo)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Log each HTTP call (-v), and response bodies too (-vv); secrets are never logged')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only results and errors')
            [CompletionResult]::new('--no-color', '--no-color', [CompletionResultType]::ParameterName, 'No colour in tables (also: NO_COLOR); the same as --color never')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'ep;config;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles, marking the default')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a profile''s settings (default: the profile in use)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a setting of a profile, creating the profile if it is new')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a setting from a profile')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the default (used when neither --profile nor EP_PROFILE is given)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config file''s path')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;config;help;list' {
            break
        }
        'ep;config;help;show' {
            break
        }
        'ep;config;help;set' {
            break
        }
        'ep;config;help;unset' {
            break
        }
        'ep;config;help;use' {
            break
        }
        'ep;config;help;remove' {
            break
        }
        'ep;config;help;path' {
            break
        }
        'ep;config;help;help' {
            break
        }
        'ep;help' {
            [CompletionResult]::new('packages', 'packages', [CompletionResultType]::ParameterValue, 'Access packages')
            [CompletionResult]::new('requests', 'requests', [CompletionResultType]::ParameterValue, 'Access package assignment requests')
            [CompletionResult]::new('reprocess', 'reprocess', [CompletionResultType]::ParameterValue, 'Reprocess failed requests (each is checked first; ineligible ones are skipped)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('emulator', 'emulator', [CompletionResultType]::ParameterValue, 'Run the built-in Graph-compatible emulator')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Sign in, see which credential is in use, sign out')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page of ep, or of one of its commands (roff: read it with `man -l -`)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Named profiles of connection settings (tenant, app, cloud, sign-in, …)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'ep;help;packages' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List access packages with their catalogs')
            break
        }
        'ep;help;packages;list' {
            break
        }
        'ep;help;requests' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List a package''s assignment requests, newest first, with whether each can be reprocessed')
            [CompletionResult]::new('why', 'why', [CompletionResultType]::ParameterValue, 'Why failed requests failed: grouped by cause, with how many can still be reprocessed and when the first of them leaves the window')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one request in full, with its delivery: expected resources, custom extension calls, audit events and the cause')
            break
        }
        'ep;help;requests;list' {
            break
        }
        'ep;help;requests;why' {
            break
        }
        'ep;help;requests;show' {
            break
        }
        'ep;help;reprocess' {
            break
        }
        'ep;help;completions' {
            break
        }
        'ep;help;emulator' {
            break
        }
        'ep;help;auth' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Sign in as a person with the device-code flow; tokens are cached for later runs')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which credential source ep uses, for which tenant, app and cloud, and until when')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the tokens cached by `ep auth login`')
            break
        }
        'ep;help;auth;login' {
            break
        }
        'ep;help;auth;status' {
            break
        }
        'ep;help;auth;logout' {
            break
        }
        'ep;help;man' {
            break
        }
        'ep;help;config' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles, marking the default')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a profile''s settings (default: the profile in use)')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Set a setting of a profile, creating the profile if it is new')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Remove a setting from a profile')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Make a profile the default (used when neither --profile nor EP_PROFILE is given)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the config file''s path')
            break
        }
        'ep;help;config;list' {
            break
        }
        'ep;help;config;show' {
            break
        }
        'ep;help;config;set' {
            break
        }
        'ep;help;config;unset' {
            break
        }
        'ep;help;config;use' {
            break
        }
        'ep;help;config;remove' {
            break
        }
        'ep;help;config;path' {
            break
        }
        'ep;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
