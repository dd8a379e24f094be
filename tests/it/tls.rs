//! Graph behind TLS that ep does not trust: a corporate proxy inspecting TLS with its own root
//! CA. A certificate error is permanent: ep fails at once naming the setting to check, instead
//! of retrying it for minutes as if Graph were busy; with the CA in `SSL_CERT_FILE` it works.

use crate::common::{Emu, run};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A test CA, and a certificate it issued for 127.0.0.1.
pub struct TestPki {
    pub ca_pem: String,
    server_der: Vec<u8>,
    server_key_der: Vec<u8>,
}

pub fn test_pki() -> TestPki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "ep test proxy CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    TestPki {
        ca_pem: ca.pem(),
        server_der: server.der().to_vec(),
        server_key_der: server_key.serialize_der(),
    }
}

/// Terminates TLS on 127.0.0.1 and forwards the plain bytes to the emulator.
pub struct TlsFront {
    pub port: u16,
    _rt: tokio::runtime::Runtime,
}

pub fn tls_front(pki: &TestPki, backend: &str) -> TlsFront {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![pki.server_der.clone().into()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(pki.server_key_der.clone().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let backend = backend.trim_start_matches("http://").to_string();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, backend) = (acceptor.clone(), backend.clone());
            tokio::spawn(async move {
                // A client that does not trust the certificate ends the handshake: fine.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Ok(mut plain) = tokio::net::TcpStream::connect(&backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    TlsFront { port, _rt: rt }
}

#[test]
fn an_untrusted_certificate_fails_at_once_and_a_trusted_test_ca_works() {
    let emu = Emu::start();
    let pki = test_pki();
    let front = tls_front(&pki, &emu.url());
    let graph = format!("https://127.0.0.1:{}", front.port);

    let started = Instant::now();
    let r = run(emu
        .ep()
        .env("EP_GRAPH_URL", &graph)
        .args(["packages", "list"]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not retried as if busy: {:?}",
        started.elapsed()
    );
    assert!(r.stderr.contains("certificate"), "{}", r.stderr);
    assert!(r.stderr.contains("SSL_CERT_FILE"), "{}", r.stderr);
    assert!(!r.stderr.contains("throttling"), "{}", r.stderr);

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("proxy-ca.pem");
    std::fs::write(&ca, &pki.ca_pem).unwrap();
    let r = run(emu
        .ep()
        .env("EP_GRAPH_URL", &graph)
        .env("SSL_CERT_FILE", &ca)
        .args(["packages", "list", "-o", "json"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.json().as_array().unwrap().is_empty());
}

#[test]
fn a_host_name_that_does_not_resolve_fails_at_once() {
    let emu = Emu::start();
    let started = Instant::now();
    let r = run(emu
        .ep()
        .env("EP_GRAPH_URL", "https://graph.ep-test.invalid")
        .args(["packages", "list"]));
    assert_eq!(r.code, 5, "{}", r.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(r.stderr.contains("does not resolve"), "{}", r.stderr);
}
