//! National clouds: where Graph and the identity platform live for each (graph-api.md §7.4).

/// `--cloud`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    Global,
    Usgov,
    UsgovDod,
    China,
}

impl Cloud {
    /// Graph host and login host (graph-api.md §7.4).
    pub fn endpoints(self) -> (&'static str, &'static str) {
        match self {
            Cloud::Global => (
                "https://graph.microsoft.com",
                "https://login.microsoftonline.com",
            ),
            Cloud::Usgov => (
                "https://graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            Cloud::UsgovDod => (
                "https://dod-graph.microsoft.us",
                "https://login.microsoftonline.us",
            ),
            // Entra's national-cloud page names login.partner.microsoftonline.cn; the Azure CLI
            // and Graph deployment page use login.chinacloudapi.cn. Both serve 21Vianet tenants;
            // --authority-host picks the other when a tenant needs it.
            Cloud::China => (
                "https://microsoftgraph.chinacloudapi.cn",
                "https://login.partner.microsoftonline.cn",
            ),
        }
    }
}

impl Cloud {
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::Usgov, Cloud::UsgovDod, Cloud::China];

    /// The `aud` a federated (OIDC) token must carry for this cloud's identity platform to accept
    /// it, and what a federated credential on an app registration names by default.
    pub fn token_exchange_audience(self) -> &'static str {
        match self {
            Cloud::Global => "api://AzureADTokenExchange",
            Cloud::Usgov | Cloud::UsgovDod => "api://AzureADTokenExchangeUSGov",
            Cloud::China => "api://AzureADTokenExchangeChina",
        }
    }

    /// The name `--cloud` and `EP_CLOUD` take.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "global",
            Cloud::Usgov => "usgov",
            Cloud::UsgovDod => "usgov-dod",
            Cloud::China => "china",
        }
    }
}
