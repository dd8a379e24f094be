//! The OS keyring, where `ep auth login` keeps its tokens by default: Credential Manager on
//! Windows, the Keychain on macOS, the Secret Service (GNOME Keyring, KWallet) on Linux.
//!
//! One login is one value, stored under the service `ep` and an account naming the login. The
//! value is cut into chunks of [`CHUNK`] bytes, each its own entry: Windows' Credential Manager
//! refuses a secret over 2560 bytes, and an Entra ID access token with its refresh token is
//! larger than that. The first entry says how many chunks follow.
//!
//! Every call runs on a thread of its own: the Secret Service client (zbus) blocks on a Tokio
//! runtime of its own, which Tokio refuses to start on a thread that already runs one.

/// The keyring's service name for everything ep keeps there.
pub const SERVICE: &str = "ep";

/// Bytes per entry: under Credential Manager's 2560-byte limit, with room for the header.
const CHUNK: usize = 2048;

/// More chunks than any login needs: a corrupt header must not make ep read forever.
const MAX_CHUNKS: usize = 64;

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// No keyring to talk to: no Secret Service on the session bus, no D-Bus session at all, a
    /// platform without one. The caller says how to opt in to a file instead.
    #[error("{0}")]
    Unavailable(String),
    /// The keyring answered, but refused or failed.
    #[error("{0}")]
    Failed(String),
}

/// Which keyring this platform has, in a person's words.
pub fn keyring_name() -> &'static str {
    if cfg!(windows) {
        "Windows Credential Manager"
    } else if cfg!(target_os = "macos") {
        "the macOS Keychain"
    } else {
        "the Secret Service keyring"
    }
}

/// The stored value, or `None` when there is none.
pub fn get(account: &str) -> Result<Option<Vec<u8>>, KeyringError> {
    let account = account.to_string();
    off_runtime(move || {
        let Some(first) = platform::get(&account)? else {
            return Ok(None);
        };
        let (count, mut value) = split_header(&first)?;
        for index in 1..count {
            match platform::get(&chunk_account(&account, index))? {
                Some(chunk) => value.extend_from_slice(&chunk),
                None => {
                    return Err(KeyringError::Failed(format!(
                        "part {} of {count} of the stored login is missing",
                        index + 1
                    )));
                }
            }
        }
        Ok(Some(value))
    })
}

/// Store `value`, replacing what was there (and dropping chunks it no longer needs).
pub fn set(account: &str, value: &[u8]) -> Result<(), KeyringError> {
    let account = account.to_string();
    let value = value.to_vec();
    off_runtime(move || {
        let old_count = old_chunk_count(&account);
        let chunks: Vec<&[u8]> = if value.is_empty() {
            vec![&[][..]]
        } else {
            value.chunks(CHUNK).collect()
        };
        if chunks.len() > MAX_CHUNKS {
            return Err(KeyringError::Failed(
                "the login is too large to store".into(),
            ));
        }
        // The later chunks first: a reader that sees the new header finds its chunks there.
        for (index, chunk) in chunks.iter().enumerate().skip(1) {
            platform::set(&chunk_account(&account, index), chunk)?;
        }
        let mut first = format!("{}\n", chunks.len()).into_bytes();
        first.extend_from_slice(chunks[0]);
        platform::set(&account, &first)?;
        for index in chunks.len()..old_count {
            platform::delete(&chunk_account(&account, index))?;
        }
        Ok(())
    })
}

/// Remove the value. `Ok(false)` when there was none.
pub fn delete(account: &str) -> Result<bool, KeyringError> {
    let account = account.to_string();
    off_runtime(move || {
        let count = old_chunk_count(&account);
        for index in 1..count {
            platform::delete(&chunk_account(&account, index))?;
        }
        platform::delete(&account)
    })
}

/// Whether a keyring answers at all (an empty one does).
pub fn probe(account: &str) -> Result<(), KeyringError> {
    let account = account.to_string();
    off_runtime(move || platform::get(&account).map(|_| ()))
}

/// How many chunks the value stored now has (1 when its header is unreadable, 0 when none).
fn old_chunk_count(account: &str) -> usize {
    match platform::get(account) {
        Ok(Some(first)) => split_header(&first).map(|(n, _)| n).unwrap_or(1),
        _ => 0,
    }
}

fn chunk_account(account: &str, index: usize) -> String {
    format!("{account} #{}", index + 1)
}

/// `"N\n"` then the first chunk.
fn split_header(first: &[u8]) -> Result<(usize, Vec<u8>), KeyringError> {
    let bad = || KeyringError::Failed("the stored login is not one ep wrote".into());
    let newline = first.iter().position(|&b| b == b'\n').ok_or_else(bad)?;
    let count: usize = std::str::from_utf8(&first[..newline])
        .ok()
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=MAX_CHUNKS).contains(n))
        .ok_or_else(bad)?;
    Ok((count, first[newline + 1..].to_vec()))
}

fn off_runtime<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, KeyringError> + Send + 'static,
) -> Result<T, KeyringError> {
    std::thread::spawn(work).join().unwrap_or_else(|_| {
        Err(KeyringError::Unavailable(
            "the keyring client stopped unexpectedly".into(),
        ))
    })
}

#[cfg(any(target_os = "linux", target_os = "macos", windows))]
mod platform {
    use super::{KeyringError, SERVICE};

    fn entry(account: &str) -> Result<keyring::Entry, KeyringError> {
        keyring::Entry::new(SERVICE, account).map_err(classify)
    }

    /// Whether there is a keyring at all, or one that said no. The platform's text is kept on one
    /// line: zbus nests its causes.
    fn classify(e: keyring::Error) -> KeyringError {
        let text = e.to_string().replace(['\n', '\r'], " ");
        match e {
            keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
                KeyringError::Unavailable(text)
            }
            _ => KeyringError::Failed(text),
        }
    }

    pub fn get(account: &str) -> Result<Option<Vec<u8>>, KeyringError> {
        match entry(account)?.get_secret() {
            Ok(bytes) => Ok(Some(bytes)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e)),
        }
    }

    pub fn set(account: &str, value: &[u8]) -> Result<(), KeyringError> {
        entry(account)?.set_secret(value).map_err(classify)
    }

    pub fn delete(account: &str) -> Result<bool, KeyringError> {
        match entry(account)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(classify(e)),
        }
    }
}

/// Other platforms (the BSDs, …): no keyring this build can reach, so a login needs the
/// explicit opt-in to a file.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod platform {
    use super::KeyringError;

    fn none() -> KeyringError {
        KeyringError::Unavailable("this build of ep has no keyring for this platform".into())
    }

    pub fn get(_account: &str) -> Result<Option<Vec<u8>>, KeyringError> {
        Err(none())
    }

    pub fn set(_account: &str, _value: &[u8]) -> Result<(), KeyringError> {
        Err(none())
    }

    pub fn delete(_account: &str) -> Result<bool, KeyringError> {
        Err(none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_counts_chunks_and_refuses_what_ep_did_not_write() {
        assert_eq!(split_header(b"3\nabc").unwrap(), (3, b"abc".to_vec()));
        assert!(split_header(b"{\"version\":1}").is_err());
        assert!(split_header(b"0\n").is_err());
        assert!(split_header(b"99999\nx").is_err());
    }
}
