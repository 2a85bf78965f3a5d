"""Clients generated from the live /api/schema/ work with no hand patch (issue 12, schema quality):
openapi-python-client's package, and openapi-typescript's types compiled by tsc (strict) and run
by node, each doing register -> token -> post a tweet -> read the feed against a live server.
`make test` installs the node tools under var/node (`make node-deps`)."""

import importlib
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
NODE_BIN = BASE_DIR / "var" / "node" / "node_modules" / ".bin"
# The multipart boundary DRF's test client and browsers use, and unicode: a body sent as
# anything but JSON would be cut or mangled (issue 12, point 9).
CONTENT = "Hello from a generated client ✓ --BoUnDaRyStRiNg\r\nContent-Disposition: form-data"

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def schema_file(live_server, tmp_path: Path) -> Path:
    with urllib.request.urlopen(f"{live_server.url}/api/schema/?format=json", timeout=30) as response:
        schema = json.load(response)
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema))
    return path


def test_python_client_from_openapi_python_client(live_server, schema_file, tmp_path):
    out = tmp_path / "py"
    out.mkdir()
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    generated = subprocess.run(
        [
            str(VENV_BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(schema_file),
            "--output-path",
            str(out / "chirp_api_client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=out,
        timeout=120,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr

    sys.path.insert(0, str(out))
    try:
        package = importlib.import_module("chirp_api_client")
        auth_api = importlib.import_module("chirp_api_client.api.auth")
        importlib.import_module("chirp_api_client.api.auth.auth_register_create")
        importlib.import_module("chirp_api_client.api.auth.auth_token_create")
        tweets_create = importlib.import_module("chirp_api_client.api.tweets.tweets_create")
        feed_list = importlib.import_module("chirp_api_client.api.feed.feed_list")
        models = importlib.import_module("chirp_api_client.models")

        client = package.Client(base_url=live_server.url, raise_on_unexpected_status=True)
        register = auth_api.auth_register_create
        body = models.UserRegisterInputRequest(
            username="genclient", email="gen@example.com", password="quiet-lantern-orbit-73", display_name="Gen"
        )
        me = register.sync(client=client, body=body)
        assert isinstance(me, models.UserMeOutput), me
        assert (me.username, me.email, me.display_name) == ("genclient", "gen@example.com", "Gen")

        # Errors are typed too: the same username again is a ValidationError naming the field.
        again = register.sync_detailed(client=client, body=body)
        assert again.status_code == 400
        assert isinstance(again.parsed, models.ValidationError)
        assert "username" in again.parsed.additional_properties

        tokens = auth_api.auth_token_create.sync(
            client=client,
            body=models.TokenObtainInputRequest(username="genclient", password="quiet-lantern-orbit-73"),
        )
        assert isinstance(tokens, models.TokenPairOutput), tokens
        authed = package.AuthenticatedClient(base_url=live_server.url, token=tokens.access)

        tweet = tweets_create.sync(client=authed, body=models.TweetPostInputRequest(content=CONTENT))
        assert isinstance(tweet, models.TweetOutput), tweet
        assert tweet.content == CONTENT

        page = feed_list.sync(client=authed, limit=10)
        assert isinstance(page, models.PaginatedFeedItemOutputList), page
        assert page.count == 1 and page.next_ is None and page.previous is None
        assert [(item.id, item.content) for item in page.results] == [(tweet.id, CONTENT)]
    finally:
        sys.path.remove(str(out))
        for name in [name for name in sys.modules if name.startswith("chirp_api_client")]:
            del sys.modules[name]


SCENARIO_TS = r"""
import type { components, paths } from "./chirp";

declare const process: { argv: string[]; exit(code: number): never };

type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? B
  : never;

const base = process.argv[2] ?? "";
const content = process.argv[3] ?? "";

async function call<T>(method: string, path: string, body?: unknown, token?: string): Promise<[number, T]> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(base + path, { method, headers, body: payload });
  return [response.status, (await response.json()) as T];
}

async function main(): Promise<void> {
  const register: Json<"/api/auth/register/", "post"> = {
    username: "tsclient",
    email: "ts@example.com",
    password: "quiet-lantern-orbit-73",
  };
  const [created, me] = await call<components["schemas"]["UserMeOutput"]>("POST", "/api/auth/register/", register);
  if (created !== 201 || me.email !== "ts@example.com") throw new Error(`register: ${created}`);

  type Invalid = components["schemas"]["ValidationError"];
  const [dupStatus, dup] = await call<Invalid>("POST", "/api/auth/register/", register);
  if (dupStatus !== 400 || !Array.isArray(dup["username"])) throw new Error(`duplicate: ${dupStatus}`);

  const credentials: Json<"/api/auth/token/", "post"> = { username: "tsclient", password: "quiet-lantern-orbit-73" };
  const [ok, tokens] = await call<components["schemas"]["TokenPairOutput"]>("POST", "/api/auth/token/", credentials);
  if (ok !== 200) throw new Error(`token: ${ok}`);

  const post: Json<"/api/tweets/", "post"> = { content };
  const [posted, tweet] = await call<components["schemas"]["TweetOutput"]>("POST", "/api/tweets/", post, tokens.access);
  if (posted !== 201 || tweet.content !== content) throw new Error(`tweet: ${posted}`);

  type Feed = paths["/api/feed/"]["get"]["responses"][200]["content"]["application/json"];
  const [read, feed] = await call<Feed>("GET", "/api/feed/?limit=10", undefined, tokens.access);
  const first: components["schemas"]["FeedItemOutput"] | undefined = feed.results[0];
  if (read !== 200 || feed.count !== 1 || first?.id !== tweet.id || feed.next !== null) {
    throw new Error(`feed: ${read}`);
  }
  console.log(`ok ${tweet.id}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
"""

TSCONFIG = {
    "compilerOptions": {
        "target": "es2022",
        "module": "commonjs",
        "lib": ["es2022", "dom"],
        "strict": True,
        "noUncheckedIndexedAccess": True,
        "skipLibCheck": True,
        "outDir": "out",
    },
    "files": ["scenario.ts"],
}


def test_typescript_types_from_openapi_typescript(live_server, schema_file, tmp_path):
    if not (NODE_BIN / "tsc").exists():
        pytest.fail(f"{NODE_BIN} has no openapi-typescript/tsc: run `make node-deps`")
    work = tmp_path / "ts"
    work.mkdir()

    def run(*command: str) -> str:
        done = subprocess.run(command, capture_output=True, text=True, cwd=work, timeout=120)
        assert done.returncode == 0, f"{command}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    run(str(NODE_BIN / "openapi-typescript"), str(schema_file), "--output", "chirp.d.ts")
    (work / "scenario.ts").write_text(SCENARIO_TS)
    (work / "tsconfig.json").write_text(json.dumps(TSCONFIG))
    run(str(NODE_BIN / "tsc"), "-p", ".")
    assert run("node", "out/scenario.js", live_server.url, CONTENT).startswith("ok ")
