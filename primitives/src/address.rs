//! What the chain takes as a network address: a provider's registered endpoint, and a remote
//! input's source.
//!
//! The chain does not parse multiaddrs (that is the worker's `Endpoint::parse`, with the
//! dashboard pinned to it by shared vectors); it keeps out what could never be one, so that
//! no text that is not an address, nor one that a terminal would render as something else,
//! is stored and shown to others.

/// Whether `text` could be one or more multiaddrs: it starts with `/` and holds printable
/// ASCII only (no spaces, no control characters, nothing beyond ASCII).
pub fn looks_like_multiaddrs(text: &[u8]) -> bool {
	text.first() == Some(&b'/') && text.iter().all(u8::is_ascii_graphic)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn only_printable_text_that_starts_with_a_slash_looks_like_an_address() {
		assert!(looks_like_multiaddrs(b"/ip4/203.0.113.7/tcp/40333"));
		assert!(looks_like_multiaddrs(b"/ip4/127.0.0.1/tcp/40333,/ip4/127.0.0.1/tcp/41333/http"));
		assert!(!looks_like_multiaddrs(b""), "empty");
		assert!(!looks_like_multiaddrs(b"ip4/1.2.3.4/tcp/1"), "no leading slash");
		assert!(!looks_like_multiaddrs(b"/ip4/1.2.3.4 /tcp/1"), "a space");
		assert!(!looks_like_multiaddrs(b"/ip4/1.2.3.4/tcp/1\n"), "a control character");
		assert!(!looks_like_multiaddrs("/dns/é.example/tcp/1".as_bytes()), "beyond ASCII");
	}
}
