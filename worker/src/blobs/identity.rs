//! Libp2p identities kept on disk, so that a peer id named somewhere lasting survives a
//! restart: the provider's (which it may put in its registered endpoint, `/p2p/<peer id>`),
//! and each one a requester served a remote input as (which the job names in its source).

use anyhow::Context;
use libp2p::{
	identity::{ed25519, Keypair},
	PeerId,
};
use std::{io::Write, os::unix::fs::OpenOptionsExt, path::Path};

pub fn load_or_create_identity(state_dir: &Path) -> anyhow::Result<Keypair> {
	let path = state_dir.join("p2p-ed25519.key");
	match read_key(&path)? {
		Some(keypair) => Ok(keypair),
		None => {
			std::fs::create_dir_all(state_dir)?;
			write_key(&path)
		}
	}
}

/// A fresh identity to serve a remote input as, kept under `dir` by its peer id before it
/// serves anything: the job will name it, and `concord job serve` needs it to serve the
/// input again at that address after a crash.
pub fn create_input_identity(dir: &Path) -> anyhow::Result<Keypair> {
	std::fs::create_dir_all(dir)?;
	let keypair = ed25519::Keypair::generate();
	let peer = Keypair::from(keypair.clone()).public().to_peer_id();
	write_new(&dir.join(format!("{peer}.key")), &keypair)?;
	Ok(keypair.into())
}

/// The identity kept under `dir` for `peer` by [`create_input_identity`], if there is one.
pub fn input_identity(dir: &Path, peer: &PeerId) -> anyhow::Result<Option<Keypair>> {
	read_key(&dir.join(format!("{peer}.key")))
}

fn read_key(path: &Path) -> anyhow::Result<Option<Keypair>> {
	match std::fs::read(path) {
		Ok(mut bytes) => Ok(Some(
			ed25519::Keypair::try_from_bytes(&mut bytes)
				.with_context(|| format!("{} is not an ed25519 key", path.display()))?
				.into(),
		)),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
		Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
	}
}

fn write_key(path: &Path) -> anyhow::Result<Keypair> {
	let keypair = ed25519::Keypair::generate();
	write_new(path, &keypair)?;
	Ok(keypair.into())
}

/// Writes `keypair` to a new file at `path` that only its owner may read, synced with its
/// directory before it is used: a key lost after its peer id was named is an address that can
/// never be served again. Written beside and renamed into place, so that a crash leaves the
/// whole key or none.
fn write_new(path: &Path, keypair: &ed25519::Keypair) -> anyhow::Result<()> {
	let staged = path.with_extension(format!("staged-{}", std::process::id()));
	let write = || {
		let mut file = std::fs::OpenOptions::new()
			.write(true)
			.create(true)
			.truncate(true)
			.mode(0o600)
			.open(&staged)?;
		file.write_all(&keypair.to_bytes())?;
		file.sync_all()?;
		std::fs::rename(&staged, path)?;
		match path.parent() {
			Some(dir) => std::fs::File::open(dir)?.sync_all(),
			None => Ok(()),
		}
	};
	write().with_context(|| format!("writing {}", path.display()))
}
