//! Interface placeholder: the real emulator is being built on the `emulator` branch and replaces
//! this file when merged. Only the API the CLI uses is declared here.
#![allow(dead_code, unused_variables)]
use std::time::Duration;
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub seed: u64,
    pub requests: usize,
    pub packages: usize,
    pub latency: Duration,
    pub rate: Option<f64>,
    pub burst: u32,
    pub fault_rate: f64,
    pub page_size: usize,
    pub settle: Duration,
    pub refail_rate: f64,
    pub token_ttl: Duration,
    pub strict_filters: bool,
}
impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            seed: 42,
            requests: 120,
            packages: 6,
            latency: Duration::ZERO,
            rate: None,
            burst: 10,
            fault_rate: 0.0,
            page_size: 50,
            settle: Duration::from_secs(3),
            refail_rate: 0.1,
            token_ttl: Duration::from_secs(3600),
            strict_filters: false,
        }
    }
}
pub struct DemoCredentials {
    pub tenant_id: &'static str,
    pub client_id: &'static str,
    pub client_secret: &'static str,
    pub reader_client_id: &'static str,
    pub reader_client_secret: &'static str,
}
pub const DEMO: DemoCredentials = DemoCredentials {
    tenant_id: "",
    client_id: "",
    client_secret: "",
    reader_client_id: "",
    reader_client_secret: "",
};
pub struct Emulator;
impl Emulator {
    pub async fn start(
        config: EmulatorConfig,
        addr: std::net::SocketAddr,
    ) -> anyhow::Result<Emulator> {
        anyhow::bail!("emulator not merged yet")
    }
    pub fn url(&self) -> String {
        String::new()
    }
    pub fn usage_text(&self) -> String {
        String::new()
    }
    pub async fn shutdown(self) {}
}
