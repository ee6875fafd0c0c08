// The V8 flags the app is started with: `npm start` (package.json) and the container (the
// Dockerfile's CMD) name them on the command line, the bench starts its app server with them,
// and cluster workers inherit them (cluster.fork passes the primary's process.execArgv).
// test/unit/node-flags.test.ts checks that the three places agree.
//
// --max-semi-space-size=8: V8's young generation may otherwise grow to two 16 MB semi-spaces,
// which start-up fills and the process then keeps resident; at 8 MB the app holds about 12 MB
// less after start. The price is more frequent scavenges (about 1.6 times as many under the
// loggedIn load, each shorter): see docs/architecture.md, "Memory".
//
// --heap-growing-percent=100: after a full collection, V8 lets the old generation grow to up to
// about four times what survived before it collects again. Under load, what a scavenge promotes
// is mostly requests' garbage (a request in flight over two scavenges), so the old generation
// filled with it to about 150 MB and the process to about 220 MB. Growing by at most its live size
// keeps it near 80 MB, at the price of more frequent (concurrent) full collections.
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8', '--heap-growing-percent=100'];
