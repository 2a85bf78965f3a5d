// masto.js (npm `masto`, the client library under Phanpy and Elk) subscribing to `user` and
// `hashtag` over one WebSocket; prints each event as a JSON line for streaming/tests/test_clients.py.
// Usage: node masto_stream.mjs <streaming URL> <access token> <tag>
import { createStreamingAPIClient } from "masto";

// masto 8 targets node >= 22; this polyfill lets it run on node 20 too (with --experimental-websocket).
if (!Promise.withResolvers) {
  Promise.withResolvers = () => {
    let resolve, reject;
    const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

const [streamingApiUrl, accessToken, tag] = process.argv.slice(2);
const client = createStreamingAPIClient({ streamingApiUrl, accessToken, retry: false });

async function print(name, subscription) {
  for await (const event of subscription) {
    console.log(JSON.stringify({ name, event: event.event, stream: event.stream, payload: event.payload }));
  }
}

print("user", client.user.subscribe());
print("hashtag", client.hashtag.subscribe({ tag }));
setTimeout(() => console.log(JSON.stringify({ ready: true })), 500);
