// Node 20 lacks Promise.withResolvers, which libp2p 2.x/3.x call (TOOLCHAIN.md).
// The same polyfill is the first import of every reference-node entry point.
import '../reference-node/src/polyfill.js';
