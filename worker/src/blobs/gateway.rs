//! The HTTP gateway: the outputs the data plane serves, for browsers, which cannot speak
//! libp2p over TCP. `GET /blob/<hex root>?grant=<hex grant>` answers with the whole blob
//! whose BLAKE3 root (its result hash) that is, under the same rule as the data plane
//! ([`Store::access`]): 200 and the bytes, 404 when it is not here, 403 when the grant does not
//! let its holder read it. Any origin may ask (the dashboard is served from elsewhere); the
//! grant, not the origin, decides. A `Range: bytes=...` header of one range is answered 206
//! with those bytes (a player or a resumed download asks so), one past the end 416.
//!
//! Plain HTTP is not encrypted: a grant seen on the wire could be replayed to another holder
//! of the same blob. Serve it on loopback or a private network, or behind a TLS proxy.
//!
//! Only what a browser's `fetch` sends is understood: one GET (or its CORS preflight) per
//! connection, its head at most 8 KiB and read within 10 seconds. At most 64 connections are
//! served at once, each for at most 15 minutes, so slow or idle clients cannot take the
//! provider's memory or file descriptors.

use crate::data::{Access, Grant, Store};
use anyhow::Context;
use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};
use tokio::{
	io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

const MAX_HEAD_BYTES: usize = 8 * 1024;
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_CONNECTIONS: usize = 64;
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(15 * 60);

/// Listens on `address` and answers blob requests from `store` until the task is dropped.
/// Returns an error only if it cannot listen.
pub async fn serve_http(
	address: SocketAddr,
	store: Store,
	log: impl Fn(String) + Send + Sync + 'static,
) -> anyhow::Result<()> {
	let listener =
		TcpListener::bind(address).await.with_context(|| format!("listening on {address}"))?;
	log(format!("serving results to browsers at http://{}/blob/<hash>", listener.local_addr()?));
	let store = Arc::new(store);
	let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
	loop {
		let stream = match listener.accept().await {
			Ok((stream, _)) => stream,
			// Out of file descriptors, say: the next connection may do better.
			Err(e) => {
				log(format!("the HTTP gateway could not accept a connection: {e}"));
				tokio::time::sleep(Duration::from_millis(100)).await;
				continue;
			}
		};
		// With every slot taken, the connection is closed at once: the client may try again.
		let Ok(slot) = slots.clone().try_acquire_owned() else { continue };
		let store = store.clone();
		tokio::spawn(async move {
			let _ = tokio::time::timeout(CONNECTION_TIMEOUT, answer(stream, &store)).await;
			drop(slot);
		});
	}
}

/// Reads one request from `stream` and answers it.
async fn answer(mut stream: TcpStream, store: &Store) -> std::io::Result<()> {
	let head = match tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await {
		Ok(Ok(Some(head))) => head,
		Ok(Ok(None)) => return respond(&mut stream, 431, "the request head is too large").await,
		Ok(Err(e)) => return Err(e),
		Err(_) => return respond(&mut stream, 408, "the request head took too long").await,
	};
	let request_line = head.lines().next().unwrap_or_default();
	let mut words = request_line.split(' ');
	let (method, target) = (words.next().unwrap_or_default(), words.next().unwrap_or_default());
	if method == "OPTIONS" {
		return respond(&mut stream, 204, "").await;
	}
	if method != "GET" {
		return respond(&mut stream, 405, "only GET is served").await;
	}
	let (hash, grant) = match parse_target(target) {
		Ok(request) => request,
		Err(Refusal(status, why)) => return respond(&mut stream, status, why).await,
	};
	let store = store.clone();
	let decided = tokio::task::spawn_blocking(move || decide(&store, &hash, &grant)).await;
	let path = match decided {
		Ok(Ok((Access::Permitted, Some(path)))) => path,
		Ok(Ok((Access::Refused, _))) => {
			return respond(&mut stream, 403, "the grant does not let its holder read this blob")
				.await
		}
		_ => return respond(&mut stream, 404, "not here").await,
	};
	let Ok(mut file) = tokio::fs::File::open(&path).await else {
		return respond(&mut stream, 404, "not here").await;
	};
	let length = file.metadata().await?.len();
	let (status, range, start, end) = match wanted(&head, length) {
		Wanted::All => ("200 OK", String::new(), 0, length),
		Wanted::Part(start, end) => (
			"206 Partial Content",
			format!("Content-Range: bytes {start}-{}/{length}\r\n", end - 1),
			start,
			end,
		),
		Wanted::Unsatisfiable => {
			let head = format!(
				"HTTP/1.1 416 Range Not Satisfiable\r\n{}Content-Range: bytes */{length}\r\nContent-Length: 0\r\n\r\n",
				common_headers()
			);
			stream.write_all(head.as_bytes()).await?;
			return stream.shutdown().await;
		}
	};
	let head = format!(
		"HTTP/1.1 {status}\r\n{}Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\n{range}Content-Length: {}\r\n\r\n",
		common_headers(),
		end - start
	);
	stream.write_all(head.as_bytes()).await?;
	file.seek(std::io::SeekFrom::Start(start)).await?;
	tokio::io::copy(&mut file.take(end - start), &mut stream).await?;
	stream.shutdown().await
}

/// The bytes a request's `Range` header asks for, of a blob of `length` bytes.
#[derive(Debug, PartialEq, Eq)]
enum Wanted {
	/// All of it: no `Range`, or one this gateway does not take (several ranges, another
	/// unit, bad syntax), which HTTP lets a server ignore.
	All,
	/// Bytes `start..end`, within the blob.
	Part(u64, u64),
	/// A range that starts past the end, or asks for the last 0 bytes.
	Unsatisfiable,
}

fn wanted(head: &str, length: u64) -> Wanted {
	let range = head.lines().skip(1).find_map(|line| {
		let (name, value) = line.split_once(':')?;
		name.trim().eq_ignore_ascii_case("range").then(|| value.trim())
	});
	let Some(spec) = range.and_then(|value| value.strip_prefix("bytes=")) else {
		return Wanted::All;
	};
	let Some((first, last)) = spec.split_once('-') else { return Wanted::All };
	if spec.contains(',') {
		return Wanted::All;
	}
	let (first, last) = (first.trim(), last.trim());
	if first.is_empty() {
		// The last N bytes.
		return match last.parse::<u64>() {
			Ok(0) => Wanted::Unsatisfiable,
			Ok(_) if length == 0 => Wanted::Unsatisfiable,
			Ok(n) => Wanted::Part(length - n.min(length), length),
			Err(_) => Wanted::All,
		};
	}
	let Ok(start) = first.parse::<u64>() else { return Wanted::All };
	if start >= length {
		return Wanted::Unsatisfiable;
	}
	if last.is_empty() {
		return Wanted::Part(start, length);
	}
	match last.parse::<u64>() {
		Ok(end) if end >= start => Wanted::Part(start, end.min(length - 1) + 1),
		_ => Wanted::All,
	}
}

/// Whether `grant` lets its holder read the whole blob with root `hash`, and where its bytes
/// are if the store holds it.
fn decide(
	store: &Store,
	hash: &[u8; 32],
	grant: &Grant,
) -> std::io::Result<(Access, Option<PathBuf>)> {
	let Some(blob) = store.find(hash)? else { return Ok((Access::Missing, None)) };
	Ok((store.access(&blob, Some(grant))?, Some(store.data_path(&blob)?)))
}

/// A request the gateway refuses: its status and why.
struct Refusal(u16, &'static str);

/// The blob and grant named by `/blob/<hex hash>?grant=<hex grant>`.
fn parse_target(target: &str) -> Result<([u8; 32], Grant), Refusal> {
	let (path, query) = target.split_once('?').unwrap_or((target, ""));
	let hex_hash =
		path.strip_prefix("/blob/").ok_or(Refusal(404, "only /blob/<hash> is served"))?;
	let mut hash = [0u8; 32];
	hex::decode_to_slice(hex_hash.trim_start_matches("0x"), &mut hash)
		.map_err(|_| Refusal(400, "a blob's hash is 64 hex digits"))?;
	let grant = query
		.split('&')
		.find_map(|pair| pair.strip_prefix("grant="))
		.ok_or(Refusal(403, "a grant is needed: ?grant=<hex>, the requester's signature"))?;
	let grant =
		Grant::from_hex(grant).map_err(|_| Refusal(400, "the grant is not 96 bytes of hex"))?;
	Ok((hash, grant))
}

/// Reads up to the blank line that ends a request's head; `None` if it is too large.
async fn read_head(stream: &mut TcpStream) -> std::io::Result<Option<String>> {
	let mut head = Vec::with_capacity(1024);
	let mut buffer = [0u8; 1024];
	while !head.windows(4).any(|window| window == b"\r\n\r\n") && head.len() <= MAX_HEAD_BYTES {
		let read = stream.read(&mut buffer).await?;
		if read == 0 {
			return Err(std::io::ErrorKind::UnexpectedEof.into());
		}
		head.extend_from_slice(&buffer[..read]);
	}
	Ok((head.len() <= MAX_HEAD_BYTES).then(|| String::from_utf8_lossy(&head).into_owned()))
}

/// Answers with `status` and `message` as plain text.
async fn respond(stream: &mut TcpStream, status: u16, message: &str) -> std::io::Result<()> {
	let reason = match status {
		204 => "No Content",
		400 => "Bad Request",
		403 => "Forbidden",
		404 => "Not Found",
		405 => "Method Not Allowed",
		408 => "Request Timeout",
		_ => "Request Header Fields Too Large",
	};
	let response = format!(
		"HTTP/1.1 {status} {reason}\r\n{}Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{message}",
		common_headers(),
		message.len()
	);
	stream.write_all(response.as_bytes()).await?;
	stream.shutdown().await
}

/// Headers on every answer: any origin may read it (and ask for a range of it), and the
/// connection ends with it.
fn common_headers() -> &'static str {
	"Access-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: GET\r\nAccess-Control-Allow-Headers: Range\r\nAccess-Control-Expose-Headers: Content-Range, Accept-Ranges, Content-Length\r\nConnection: close\r\n"
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::{sr25519, Pair};
	use std::io::{Read, Write};

	/// Sends `request` to the gateway at `address` as raw HTTP; returns status and body.
	fn get(address: SocketAddr, request: &str) -> (u16, Vec<u8>) {
		let (status, _, body) = get_with_head(address, request);
		(status, body)
	}

	/// Sends `request` to the gateway at `address` as raw HTTP; returns status, head and body.
	fn get_with_head(address: SocketAddr, request: &str) -> (u16, String, Vec<u8>) {
		let mut stream = std::net::TcpStream::connect(address).unwrap();
		stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
		stream.write_all(request.as_bytes()).unwrap();
		let mut response = Vec::new();
		stream.read_to_end(&mut response).unwrap();
		let end = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a head") + 4;
		let head = String::from_utf8_lossy(&response[..end]).into_owned();
		assert!(head.contains("Access-Control-Allow-Origin: *"), "{head}");
		let status = head[9..12].parse().unwrap();
		(status, head, response[end..].to_vec())
	}

	#[tokio::test(flavor = "multi_thread")]
	async fn the_gateway_serves_an_output_to_its_readers_only() {
		let dir = tempfile::tempdir().unwrap();
		let dave = sr25519::Pair::from_string("//Dave", None).unwrap();
		let eve = sr25519::Pair::from_string("//Eve", None).unwrap();
		let blob = b"the output of a kernel".to_vec();
		let hash = concord_kernels::result_hash(&blob);
		let store = Store::open(&dir.path().join("results")).unwrap();
		std::fs::write(dir.path().join("output"), &blob).unwrap();
		store.adopt(&dir.path().join("output"), &hash, &dave.public().0).unwrap();

		let address: SocketAddr = "127.0.0.1:0".parse().unwrap();
		let listener = std::net::TcpListener::bind(address).unwrap();
		let address = listener.local_addr().unwrap();
		drop(listener);
		let (ready, listening) = tokio::sync::oneshot::channel();
		let ready = std::sync::Mutex::new(Some(ready));
		tokio::spawn(serve_http(address, store, move |_| {
			if let Some(ready) = ready.lock().unwrap().take() {
				let _ = ready.send(());
			}
		}));
		listening.await.unwrap();

		let blob_url = |hash: &[u8; 32], grant: &Grant| {
			format!(
				"GET /blob/{}?grant={} HTTP/1.1\r\nHost: x\r\n\r\n",
				hex::encode(hash),
				grant.to_hex()
			)
		};
		let ask =
			move |request: String| tokio::task::spawn_blocking(move || get(address, &request));
		let by_dave = Grant::sign(&dave, &hash);
		assert_eq!(ask(blob_url(&hash, &by_dave)).await.unwrap(), (200, blob.clone()));
		// A browser wallet signs `<Bytes>…</Bytes>` around the message; that grant works too.
		let wrapped = crate::data::wallet_wrapped(&hash);
		let by_wallet = Grant { account: dave.public().0, signature: dave.sign(&wrapped).0 };
		assert_eq!(ask(blob_url(&hash, &by_wallet)).await.unwrap().0, 200);

		assert_eq!(ask(blob_url(&hash, &Grant::sign(&eve, &hash))).await.unwrap().0, 403);
		let stolen = Grant { account: dave.public().0, ..Grant::sign(&eve, &hash) };
		assert_eq!(ask(blob_url(&hash, &stolen)).await.unwrap().0, 403);
		let missing = [9; 32];
		assert_eq!(ask(blob_url(&missing, &Grant::sign(&dave, &missing))).await.unwrap().0, 404);
		let no_grant = format!("GET /blob/{} HTTP/1.1\r\n\r\n", hex::encode(hash));
		assert_eq!(ask(no_grant).await.unwrap().0, 403);
		let bad_hash = format!("GET /blob/xyz?grant={} HTTP/1.1\r\n\r\n", by_dave.to_hex());
		assert_eq!(ask(bad_hash).await.unwrap().0, 400);
		assert_eq!(ask("POST /blob/00 HTTP/1.1\r\n\r\n".into()).await.unwrap().0, 405);
		assert_eq!(ask("OPTIONS /blob/00 HTTP/1.1\r\n\r\n".into()).await.unwrap().0, 204);
		let huge = format!("GET /blob/00 HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(9_000));
		assert_eq!(ask(huge).await.unwrap().0, 431);

		// Ranges of it, to its readers only.
		let length = blob.len();
		let with_range = |range: &str, grant: &Grant| {
			let url = blob_url(&hash, grant);
			let request = url.replace("\r\n\r\n", &format!("\r\nRange: {range}\r\n\r\n"));
			tokio::task::spawn_blocking(move || get_with_head(address, &request))
		};
		for (range, part) in [
			("bytes=2-5", 2..6),
			("bytes=5-", 5..length),
			("bytes=-4", length - 4..length),
			("bytes=3-999", 3..length),
		] {
			let (status, head, body) = with_range(range, &by_dave).await.unwrap();
			assert_eq!((status, &body[..]), (206, &blob[part.clone()]), "{range}");
			let content_range =
				format!("Content-Range: bytes {}-{}/{length}", part.start, part.end - 1);
			assert!(head.contains(&content_range), "{range}: {head}");
		}
		let (status, head, _) = with_range(&format!("bytes={length}-"), &by_dave).await.unwrap();
		assert_eq!(status, 416);
		assert!(head.contains(&format!("Content-Range: bytes */{length}")), "{head}");
		for ignored in ["bytes=0-1,4-5", "bytes=5-2", "items=0-3", "bytes=x-"] {
			let (status, _, body) = with_range(ignored, &by_dave).await.unwrap();
			assert_eq!((status, body), (200, blob.clone()), "{ignored} is served whole");
		}
		assert_eq!(with_range("bytes=2-5", &Grant::sign(&eve, &hash)).await.unwrap().0, 403);
	}
}
