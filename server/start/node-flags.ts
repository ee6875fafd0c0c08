// The V8 flags the app is started with: `npm start` (package.json) and the container (the
// Dockerfile's CMD) name them on the command line, the bench starts its app server with them,
// and cluster workers inherit them (cluster.fork passes the primary's process.execArgv).
// test/unit/node-flags.test.ts checks that the three places agree.
//
// --max-semi-space-size=8: V8's young generation may otherwise grow to two 16 MB semi-spaces,
// which start-up fills and the process then keeps resident; at 8 MB the app holds about 12 MB
// less after start. The price is more frequent scavenges (about 1.6 times as many under the
// loggedIn load, each shorter): see docs/architecture.md, "Memory".
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
