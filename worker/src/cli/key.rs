//! `concord key ...`: account keys in a keystore, as Substrate tools keep them.

use super::Output;
use clap::{Args, Subcommand};
use concord_worker::chain::Keystore;
use serde_json::json;
use sp_core::crypto::Ss58Codec;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum KeyCommand {
	/// Make a new key from a fresh secret phrase, keep it, and print its account and phrase
	/// (write the phrase down: it is the only way to recover the account elsewhere).
	Generate(KeystorePath),
	/// Keep the key of a secret URI (a phrase, a 0x seed, or a dev account such as //Dave).
	Insert(InsertArgs),
	/// Print the accounts of the keys kept.
	List(KeystorePath),
}

#[derive(Args)]
pub struct KeystorePath {
	/// The keystore directory (a node's is `<base path>/chains/<chain id>/keystore`).
	#[arg(long, value_name = "DIR")]
	keystore_path: PathBuf,
}

#[derive(Args)]
pub struct InsertArgs {
	#[command(flatten)]
	keystore: KeystorePath,
	/// The secret URI; read from CONCORD_KEY when not given.
	#[arg(long, value_name = "SURI")]
	suri: Option<String>,
}

impl KeyCommand {
	pub fn run(self, out: Output) -> anyhow::Result<()> {
		match self {
			KeyCommand::Generate(path) => {
				let (phrase, public) = Keystore::open(&path.keystore_path).generate()?;
				let account = public.to_ss58check();
				out.print(
					format!("{account}\nsecret phrase: {phrase}"),
					json!({ "account": account, "secret_phrase": phrase }),
				);
			}
			KeyCommand::Insert(args) => {
				let suri = match args.suri {
					Some(suri) => suri,
					None => super::chain_args::key_from_env("pass --suri, or set it")?,
				};
				let public = Keystore::open(&args.keystore.keystore_path).insert(&suri)?;
				let account = public.to_ss58check();
				out.print(&account, json!({ "account": account }));
			}
			KeyCommand::List(path) => {
				let accounts: Vec<String> = Keystore::open(&path.keystore_path)
					.list()?
					.iter()
					.map(|public| public.to_ss58check())
					.collect();
				out.print(accounts.join("\n"), json!({ "accounts": accounts }));
			}
		}
		Ok(())
	}
}
