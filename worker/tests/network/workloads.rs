//! Workloads against a real node (issue 27): the byte-proof verifier of
//! `concord_primitives::workload` run by the runtime's WebAssembly, through `JobsApi`.

use crate::common::*;
use codec::Encode;
use concord_kernels::{cpu, workload};
use concord_primitives::{
	kernel::KernelId,
	workload::{aggregate, byte_proof, ByteProof},
};
use concord_worker::chain::Client;

/// A workload run locally; a node's runtime confirms where a proven chunk of its output lies,
/// and refuses the proof for a changed byte, another shard count or another workload's root.
#[tokio::test(flavor = "multi_thread")]
async fn the_runtime_checks_a_byte_proof_against_a_workload_s_root() {
	let dir = tempfile::tempdir().unwrap();
	let (_node, rpc) = start_dev_node(dir.path(), free_port(), &[]);
	let client = Client::connect(&rpc).await.unwrap();
	let at = client.best_header().await.unwrap().hash();

	// 40 rows of 100 pixels in 3 shards (13, 13 and 14 rows): 5,200 to 5,600 bytes each, so a
	// shard's output spans several BLAKE3 chunks and the proof climbs its tree.
	let (kernel, params, shards) = (KernelId::MandelbrotQ12, vec![100, 40, 24, 0, 0, 300], 3);
	let assembled = workload::run_local(kernel, &params, shards, &[], |shard, input| {
		cpu::run(kernel, shard.params(), input)
	})
	.unwrap();
	let root = aggregate::root(kernel, &params, &assembled.leaves).unwrap();
	let third = concord_primitives::workload::split(kernel, &params, shards, 2).unwrap();
	let output = &assembled.output[third.output.offset as usize..third.output.end() as usize];
	// The chunk holding byte 2,100 of the third shard: its third chunk.
	let proof = byte_proof::prove(&assembled.leaves, 2, output, 2_100).unwrap();

	let verify = |root: [u8; 32], shards: u32, proof: &ByteProof| {
		let args = (root, kernel, params.clone(), shards, proof.clone()).encode();
		let client = &client;
		async move {
			let proven: Option<(u64, u32)> =
				client.runtime_call("JobsApi_verify_output_bytes", args, at).await.unwrap();
			proven
		}
	};
	let proven = verify(root, shards, &proof).await;
	assert_eq!(proven, Some((third.output.offset + 2 * 1024, 1024)), "the third chunk");
	let at_offset = third.output.offset as usize + 2 * 1024;
	assert_eq!(&proof.chunk.bytes[..], &assembled.output[at_offset..at_offset + 1024]);

	let mut changed = proof.clone();
	changed.chunk.bytes[5] ^= 1;
	assert_eq!(verify(root, shards, &changed).await, None, "a changed byte");
	assert_eq!(verify(root, shards + 1, &proof).await, None, "another split");
	let other_root = aggregate::root(kernel, &[100, 40, 24, 0, 0, 301], &assembled.leaves);
	assert_eq!(verify(other_root.unwrap(), shards, &proof).await, None, "another workload");
}
