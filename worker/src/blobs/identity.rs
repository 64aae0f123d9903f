//! The provider's libp2p identity, kept in its state directory so its peer id (which it may
//! put in its registered endpoint, `/p2p/<peer id>`) survives restarts.

use anyhow::Context;
use libp2p::identity::{ed25519, Keypair};
use std::path::Path;

pub fn load_or_create_identity(state_dir: &Path) -> anyhow::Result<Keypair> {
	let path = state_dir.join("p2p-ed25519.key");
	let keypair = match std::fs::read(&path) {
		Ok(mut bytes) => ed25519::Keypair::try_from_bytes(&mut bytes)
			.with_context(|| format!("{} is not an ed25519 key", path.display()))?,
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
			let keypair = ed25519::Keypair::generate();
			std::fs::create_dir_all(state_dir)?;
			std::fs::write(&path, keypair.to_bytes())
				.with_context(|| format!("writing {}", path.display()))?;
			keypair
		}
		Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
	};
	Ok(keypair.into())
}
