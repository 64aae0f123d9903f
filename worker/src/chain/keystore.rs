//! Keys kept as Substrate tools keep them: a directory (a node's `--keystore-path`, or
//! `<base path>/chains/<chain>/keystore`) with one file per key, named by the hex of its
//! four-byte key type and its public key, holding its secret URI as a JSON string.
//! `concord-node key insert --key-type cord --scheme sr25519` writes such a file, and so does
//! `concord key insert`; any sr25519 key there under type `cord` can sign for `concord`.

use anyhow::{anyhow, bail, Context};
use sp_core::{crypto::Ss58Codec, sr25519, Pair};
use std::path::{Path, PathBuf};

/// The key type of Concord's account keys: `cord`.
pub const KEY_TYPE: [u8; 4] = *b"cord";

/// A keystore directory.
pub struct Keystore {
	dir: PathBuf,
}

impl Keystore {
	pub fn open(dir: &Path) -> Keystore {
		Keystore { dir: dir.to_path_buf() }
	}

	/// Keeps `suri`'s key; returns its public key. Made readable by the owner only.
	pub fn insert(&self, suri: &str) -> anyhow::Result<sr25519::Public> {
		let pair = sr25519::Pair::from_string(suri, None)
			.map_err(|e| anyhow!("not a valid secret key URI ({e})"))?;
		std::fs::create_dir_all(&self.dir)
			.with_context(|| format!("making {}", self.dir.display()))?;
		let path = self.path(&pair.public());
		let text = serde_json::to_string(suri)?;
		write_private(&path, text.as_bytes())
			.with_context(|| format!("writing {}", path.display()))?;
		Ok(pair.public())
	}

	/// Makes a new key from a fresh 12-word phrase and keeps it; returns the phrase (shown
	/// once, to be written down) and the public key.
	pub fn generate(&self) -> anyhow::Result<(String, sr25519::Public)> {
		let (_, phrase, _) = sr25519::Pair::generate_with_phrase(None);
		let public = self.insert(&phrase)?;
		Ok((phrase, public))
	}

	/// The public keys of every `cord` key kept here, sorted.
	pub fn list(&self) -> anyhow::Result<Vec<sr25519::Public>> {
		let entries = match std::fs::read_dir(&self.dir) {
			Ok(entries) => entries,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(e).with_context(|| format!("reading {}", self.dir.display())),
		};
		let prefix = hex::encode(KEY_TYPE);
		let mut keys = Vec::new();
		for entry in entries {
			let name = entry?.file_name();
			let Some(public) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
				continue;
			};
			let mut raw = [0u8; 32];
			if hex::decode_to_slice(public, &mut raw).is_ok() {
				keys.push(sr25519::Public::from_raw(raw));
			}
		}
		keys.sort();
		Ok(keys)
	}

	/// The secret URI of the key for `account` (SS58), or of the only key here when `account`
	/// is `None`.
	pub fn suri(&self, account: Option<&str>) -> anyhow::Result<String> {
		let keys = self.list()?;
		let public = match account {
			Some(account) => {
				let wanted = sr25519::Public::from_ss58check(account)
					.map_err(|e| anyhow!("{account} is not an SS58 account ({e})"))?;
				if !keys.contains(&wanted) {
					bail!("{} holds no key for {account}", self.dir.display());
				}
				wanted
			}
			None => match keys.as_slice() {
				[only] => *only,
				[] => bail!("{} holds no `cord` key (concord key insert)", self.dir.display()),
				_ => bail!(
					"{} holds {} `cord` keys: say which with --account (--provider-account in \
					 concord-node)",
					self.dir.display(),
					keys.len()
				),
			},
		};
		let path = self.path(&public);
		let text = std::fs::read_to_string(&path)
			.with_context(|| format!("reading {}", path.display()))?;
		let suri: String = serde_json::from_str(&text)
			.with_context(|| format!("{} is not a keystore file", path.display()))?;
		let pair = sr25519::Pair::from_string(&suri, None)
			.map_err(|e| anyhow!("{} holds no valid key ({e})", path.display()))?;
		if pair.public() != public {
			bail!("{} holds the key of another account", path.display());
		}
		Ok(suri)
	}

	fn path(&self, public: &sr25519::Public) -> PathBuf {
		self.dir.join(format!("{}{}", hex::encode(KEY_TYPE), hex::encode(public.0)))
	}
}

/// Writes `bytes` to a new file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	use std::io::Write;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create(true).truncate(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	let mut file = options.open(path)?;
	file.write_all(bytes)?;
	file.sync_all()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keys_are_kept_found_and_refused_by_account() {
		let dir = tempfile::tempdir().unwrap();
		let keystore = Keystore::open(&dir.path().join("keystore"));
		assert!(keystore.list().unwrap().is_empty());
		assert!(keystore.suri(None).is_err(), "no key yet");

		let dave = keystore.insert("//Dave").unwrap();
		assert_eq!(keystore.suri(None).unwrap(), "//Dave", "the only key");
		let (phrase, generated) = keystore.generate().unwrap();
		assert_eq!(phrase.split(' ').count(), 12);
		assert_eq!(keystore.list().unwrap().len(), 2);
		assert!(keystore.suri(None).is_err(), "two keys: which?");
		let ss58 = dave.to_ss58check();
		assert_eq!(keystore.suri(Some(&ss58)).unwrap(), "//Dave");
		assert_eq!(keystore.suri(Some(&generated.to_ss58check())).unwrap(), phrase);
		let eve = sr25519::Pair::from_string("//Eve", None).unwrap().public().to_ss58check();
		assert!(keystore.suri(Some(&eve)).is_err(), "not kept here");

		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode = std::fs::metadata(keystore.path(&dave)).unwrap().permissions().mode();
			assert_eq!(mode & 0o077, 0, "no one else may read a key");
		}
		// Another key type in the same directory (a validator's `babe` key) is not ours.
		std::fs::write(
			dir.path().join("keystore").join(format!(
				"{}{}",
				hex::encode(b"babe"),
				hex::encode([1u8; 32])
			)),
			"\"//Alice\"",
		)
		.unwrap();
		assert_eq!(keystore.list().unwrap().len(), 2);
	}
}

/// A keystore to sign from instead of a secret URI. Its ids are not the fields' names, so
/// that it sits beside a Substrate node's own `keystore_path` without a clash.
#[derive(clap::Args, Clone, Debug)]
pub struct KeystoreArgs {
	/// Sign with a `cord` key from this keystore (`concord key insert`, or a node's
	/// `key insert --key-type cord`) instead of a secret URI.
	#[arg(id = "signing_keystore_path", long = "keystore-path", value_name = "DIR")]
	pub keystore_path: Option<PathBuf>,
	/// Which of the keystore's keys signs (SS58); needed only when it holds several.
	#[arg(
		id = "signing_account",
		long = "account",
		value_name = "SS58",
		requires = "signing_keystore_path"
	)]
	pub account: Option<String>,
}

impl KeystoreArgs {
	/// The secret URI of the keystore's key, if a keystore was given.
	pub fn suri(&self) -> Option<anyhow::Result<String>> {
		let dir = self.keystore_path.as_ref()?;
		Some(Keystore::open(dir).suri(self.account.as_deref()))
	}
}
