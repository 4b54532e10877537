#!/usr/bin/env python3
"""A local S3-compatible server for the tests: moto's S3 (moto[server] from PyPI) on 127.0.0.1.

  s3_server.py start [--bucket NAME] [--log FILE] [--verify-signatures]
      Starts the server on a free port in the background, waits until it answers, creates the bucket and
      prints shell `export` lines: AWS_ENDPOINT_URL, AWS_ALLOW_HTTP, credentials, AWS_REGION,
      LAKE_TEST_S3_BUCKET, LAKE_S3_SERVER_PID (for `stop`) and LAKE_TEST_S3_VERIFIES_SIGNATURES. Use as: eval "$(python s3_server.py start)".
      With --verify-signatures moto authenticates every request after setup (its IAM checks recompute each
      SigV4 signature with botocore): the credentials printed are an IAM user's that setup created, and a
      request signed wrongly fails with 403 SignatureDoesNotMatch.
  s3_server.py stop PID
      Stops the server started by `start` (its whole process group).
  s3_server.py serve PORT
      Runs the server in the foreground (what `start` launches).

moto checks `If-None-Match: *` and then stores the object in two steps, and its server is threaded, so two
racing conditional PUTs could both succeed. Real S3 decides them atomically; `serve` therefore runs moto's
application behind a lock that handles one request at a time, which gives the same guarantee.

Fault injection for the retry tests: a request whose path has a segment `lake-fault-KIND-N` fails in the way
KIND names for the first N requests with the same method, path, query and If-None-Match header:
  503       503 SlowDown            500       500 InternalError
  reset     connection closed before any response
  stall     no answer for 5 s (longer than the tests' stall limit)
  truncate  (GET) the response body cut short after half, then the connection closed
  applied   the request is carried out, then the connection closed before the response (the client cannot
            know it succeeded: the case a retried conditional PUT must recognise as its own)

Random faults at a rate: `POST /__lake_faults__?rate=R` (0 <= R <= 1) makes a fraction R of all other
requests fail with one of 503, 500, reset, applied or (for GET) truncate, chosen at random; rate=0 stops it.
`GET /__lake_faults__` answers {"rate": R, "injected": {KIND: COUNT}}.
"""
import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ACCESS_KEY = "lake-test-access-key"
SECRET_KEY = "lake-test-secret-key"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(port: int) -> None:
    from werkzeug.serving import run_simple
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        # Read the whole body and build the whole response inside the lock: one request at a time.
        with lock:
            chunks = []
            status_headers = {}

            def capture(status, headers, exc_info=None):
                status_headers["v"] = (status, headers, exc_info)
                return lambda data: chunks.append(data)

            result = app(environ, capture)
            try:
                for part in result:
                    chunks.append(part)
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()
        status, headers, exc_info = status_headers["v"]
        start_response(status, headers, exc_info)
        return [b"".join(chunks)]

    import re
    fault_pattern = re.compile(r"(?:^|/)lake-fault-(503|500|reset|stall|truncate|applied)-(\d+)(?:/|$)")
    seen = {}
    seen_lock = threading.Lock()

    def drop_connection(environ):
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    import random
    fault_rate = {"rate": 0.0}
    rng = random.Random(12)

    def faulty(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/__lake_faults__":
            query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
            with seen_lock:
                if "rate" in query:
                    fault_rate["rate"] = min(max(float(query["rate"][0]), 0.0), 1.0)
                body = json.dumps({"rate": fault_rate["rate"], "injected": fault_rate.get("injected", {})}).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        match = fault_pattern.search(path)
        kind, count = (match.group(1), int(match.group(2))) if match else (None, 0)
        if not match and fault_rate["rate"] > 0:
            with seen_lock:
                if rng.random() < fault_rate["rate"]:
                    kinds = ["503", "500", "reset", "applied"] + (["truncate"] if environ.get("REQUEST_METHOD") == "GET" else [])
                    kind, count = rng.choice(kinds), 1
                    injected = fault_rate.setdefault("injected", {})
                    injected[kind] = injected.get(kind, 0) + 1
        if kind is not None:
            if match:
                ident = (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"), environ.get("QUERY_STRING"),
                         environ.get("HTTP_IF_NONE_MATCH"))
                with seen_lock:
                    seen[ident] = seen.get(ident, 0) + 1
                    hit = seen[ident] <= count
            else:
                hit = True
            if hit and kind in ("503", "500"):
                environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
                code, name = ("SlowDown", "503 Slow Down") if kind == "503" else ("InternalError", "500 Internal Server Error")
                body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>injected fault</Message></Error>".encode()
                start_response(name, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
                return [body]
            if hit and kind == "reset":
                drop_connection(environ)
                raise ConnectionAbortedError("injected reset")
            if hit and kind == "stall":
                time.sleep(5)
            if hit and kind == "applied":
                list(serialized(environ, lambda *a, **k: None))
                drop_connection(environ)
                raise ConnectionAbortedError("injected reset after applying")
            if hit and kind == "truncate" and environ.get("REQUEST_METHOD") == "GET":
                captured = {}

                def capture(status, headers, exc_info=None):
                    captured["v"] = (status, headers, exc_info)

                body = b"".join(serialized(environ, capture))
                status, headers, exc_info = captured["v"]
                start_response(status, headers, exc_info)

                def cut():
                    yield body[: len(body) // 2]
                    drop_connection(environ)
                return cut()
        return serialized(environ, start_response)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    run_simple("127.0.0.1", port, faulty, threaded=True, request_handler=MotoRequestHandler)


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float) -> bool:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            return False
        try:
            # The fault-control endpoint answers without reaching moto, so probing uses up no setup action.
            urllib.request.urlopen(url + "/__lake_faults__", timeout=1).read()
            return True
        except urllib.error.HTTPError:
            return True  # it answered
        except Exception:
            time.sleep(0.1)
    return False


# Requests moto serves unauthenticated before it checks signatures: the four setup calls of `start`.
SETUP_ACTIONS = 4


def start(bucket: str, log: str, verify_signatures: bool) -> None:
    env = dict(os.environ)
    if verify_signatures:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_ACTIONS)
    for _ in range(3):
        port = free_port()
        with open(log, "ab") as out:
            proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "serve", str(port)], env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        if wait_until_up(url, proc, 30):
            break
        stop(proc.pid)
    else:
        sys.exit(f"s3_server.py: moto did not start; see {log}")
    access_key, secret_key = ACCESS_KEY, SECRET_KEY
    try:
        import boto3
        if verify_signatures:
            iam = boto3.client("iam", endpoint_url=url, aws_access_key_id=ACCESS_KEY,
                               aws_secret_access_key=SECRET_KEY, region_name=REGION)
            iam.create_user(UserName="lake-test")
            key = iam.create_access_key(UserName="lake-test")["AccessKey"]
            access_key, secret_key = key["AccessKeyId"], key["SecretAccessKey"]
            iam.put_user_policy(UserName="lake-test", PolicyName="all", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        s3 = boto3.client("s3", endpoint_url=url, aws_access_key_id=access_key,
                          aws_secret_access_key=secret_key, region_name=REGION)
        s3.create_bucket(Bucket=bucket)
    except Exception as e:
        stop(proc.pid)
        sys.exit(f"s3_server.py: could not set up bucket {bucket}: {e}")
    for name, value in [("AWS_ENDPOINT_URL", url), ("AWS_ALLOW_HTTP", "true"), ("AWS_ACCESS_KEY_ID", access_key),
                        ("AWS_SECRET_ACCESS_KEY", secret_key), ("AWS_REGION", REGION),
                        ("LAKE_TEST_S3_BUCKET", bucket), ("LAKE_S3_SERVER_PID", str(proc.pid)),
                        ("LAKE_TEST_S3_VERIFIES_SIGNATURES", "true" if verify_signatures else "false")]:
        print(f"export {name}='{value}'")


def stop(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        time.sleep(0.1)
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_start = sub.add_parser("start")
    p_start.add_argument("--bucket", default="lake-test")
    p_start.add_argument("--log", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "lake-s3-server.log"))
    p_start.add_argument("--verify-signatures", action="store_true")
    p_stop = sub.add_parser("stop")
    p_stop.add_argument("pid", type=int)
    p_serve = sub.add_parser("serve")
    p_serve.add_argument("port", type=int)
    args = parser.parse_args()
    if args.command == "start":
        start(args.bucket, args.log, args.verify_signatures)
    elif args.command == "stop":
        stop(args.pid)
    else:
        serve(args.port)


if __name__ == "__main__":
    main()
