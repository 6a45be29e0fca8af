"""A scripted OpenAI-compatible chat server (stdlib only) for tests, benchmarks and dry runs.

Run it as ``python -m npsolver.testserver --script SCRIPT.json [--port 0] [--log LOG.jsonl]``; it
binds 127.0.0.1 only and prints ``READY <port>`` on stdout once it listens.

The script maps a prompt's hash (:func:`npsolver.plan.prompt_hash` of the user message) to the list
of replies the server gives to successive requests with that prompt; prompts not in the script get
the ``default`` reply. Multi-turn conversations (the code and feedback tracks) are scripted under
``by_conversation``: the hash of the conversation's first user message maps to the replies for its
first, second, ... assistant turn (the turn is the number of assistant messages already sent, so a
conversation gets the same replies however requests interleave). A reply is a JSON object with any of:

``status`` (200), ``content``, ``reasoning_content``, ``finish_reason`` ("stop"), ``delay`` (seconds
before answering), ``headers`` (e.g. ``{"Retry-After": "1"}``), ``usage`` (token counts),
``raw`` (a body sent as is, e.g. broken JSON), ``echo_auth`` (an error message that quotes the
request's Authorization header, as some providers do: the runner must redact it), ``echo_auth_reply``
(a normal reply whose content quotes that header), ``echo`` (the content is the prompt itself,
``"full"``, or its second half, ``"tail"``, as small models often do), ``echo_last`` (the content is
the last message's text: a model that copies its program's output into its answer), and ``tool_calls`` (a list of
``{"name", "arguments", "id"}``; arguments given as an object are sent as its JSON text, a string as
is; the finish reason becomes ``tool_calls``).

The log gets one JSON line per request: the prompt hash, the reply index, the status, the time, and
for conversations the first prompt's hash, the turn, the tools offered, ``tool_choice`` and the
role and text of the last message (what the model was last told).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from npsolver.plan import prompt_hash

DEFAULT_REPLY = {"content": '{"solution": null}'}


class Script:
    """Replies by prompt hash, consumed in order (the last one repeats), and a request log."""

    def __init__(self, script: dict[str, Any], log_path: str | None = None):
        self.by_prompt = {key: list(replies) for key, replies in script.get("by_prompt", {}).items()}
        self.by_conversation = {key: list(replies) for key, replies in script.get("by_conversation", {}).items()}
        self.default = script.get("default", DEFAULT_REPLY)
        self.served: dict[str, int] = {}
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8") if log_path else None

    def next_reply(self, digest: str) -> tuple[dict[str, Any], int]:
        """The next scripted reply for a prompt with this digest, and how many it had before."""
        with self.lock:
            index = self.served.get(digest, 0)
            self.served[digest] = index + 1
            replies = self.by_prompt.get(digest)
            reply = replies[min(index, len(replies) - 1)] if replies else self.default
            return reply, index

    def conversation_reply(self, first: str, turn: int) -> dict[str, Any] | None:
        """The reply for ``turn`` of the conversation that began with ``first`` (None if unscripted)."""
        replies = self.by_conversation.get(first)
        return replies[min(turn, len(replies) - 1)] if replies else None

    def record(self, entry: dict[str, Any]) -> None:
        """Log a request (when the script has a log)."""
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")
                self.log.flush()


def completion_body(reply: dict[str, Any], model: str) -> dict[str, Any]:
    """An OpenAI chat completion response carrying ``reply``, with usage filled in."""
    usage = {"prompt_tokens": 10, "completion_tokens": 20, **reply.get("usage", {})}
    usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
    reasoning_tokens = usage.pop("reasoning_tokens", None)
    if reasoning_tokens is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning_tokens}
    message = {"role": "assistant", "content": reply.get("content", "")}
    if reply.get("reasoning_content") is not None:
        message["reasoning_content"] = reply["reasoning_content"]
    finish_reason = reply.get("finish_reason", "stop")
    if reply.get("tool_calls"):
        message["tool_calls"] = [tool_call(call, number) for number, call in enumerate(reply["tool_calls"])]
        finish_reason = reply.get("finish_reason", "tool_calls")
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}], "usage": usage}


def tool_call(call: dict[str, Any], number: int) -> dict[str, Any]:
    """A scripted tool call as an OpenAI ``tool_calls`` entry."""
    arguments = call.get("arguments", {})
    return {"id": call.get("id", f"call_{number}"), "type": "function",
            "function": {"name": call.get("name", "python"),
                         "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)}}


def make_handler(script: Script):
    """The request handler class that answers from ``script``."""
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
        disable_nagle_algorithm = True  # else every reply waits ~40 ms for a delayed ACK

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):
                pass  # a client that gave up (a timeout test) or was killed (the crash test)

        def log_message(self, *args) -> None:  # quiet: the script log records requests
            pass

        def do_GET(self) -> None:
            self.send_json(200, {"object": "list", "data": [{"id": "scripted", "object": "model"}]})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            messages = request.get("messages", [])
            prompt = next((m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), "")
            digest = prompt_hash(prompt if isinstance(prompt, str) else json.dumps(prompt))
            first = next((m.get("content") or "" for m in messages if m.get("role") == "user"), "")
            first_digest = prompt_hash(first if isinstance(first, str) else json.dumps(first))
            turn = sum(1 for m in messages if m.get("role") == "assistant")
            reply = script.conversation_reply(first_digest, turn)
            if reply is None:
                reply, index = script.next_reply(digest)
            else:
                index = turn
            script.record({"prompt_hash": digest, "index": index, "status": reply.get("status", 200),
                           "max_tokens": request.get("max_tokens"), "time": time.time(),
                           "conversation": first_digest, "turn": turn, "messages": len(messages),
                           "tools": [t.get("function", {}).get("name") for t in request.get("tools") or []],
                           "tool_choice": request.get("tool_choice"),
                           "last_role": messages[-1].get("role") if messages else None,
                           "last_content": messages[-1].get("content") if messages else None})
            if reply.get("delay"):
                time.sleep(reply["delay"])
            status = reply.get("status", 200)
            if reply.get("echo_auth"):
                auth = self.headers.get("Authorization", "")
                body = {"error": {"message": f"{reply['echo_auth']} (you sent: {auth})", "type": "invalid_request"}}
            elif reply.get("echo"):
                text = prompt if isinstance(prompt, str) else json.dumps(prompt)
                content = text if reply["echo"] == "full" else text[len(text) // 2:]
                body = completion_body({**reply, "content": content}, request.get("model", "scripted"))
            elif reply.get("echo_last"):
                last = messages[-1].get("content") if messages else ""
                body = completion_body({**reply, "content": last or ""}, request.get("model", "scripted"))
            elif reply.get("echo_auth_reply"):
                content = f"{reply['echo_auth_reply']} {self.headers.get('Authorization', '')}"
                body = completion_body({**reply, "content": content}, request.get("model", "scripted"))
            elif "raw" in reply:
                body = reply["raw"]
            elif status != 200:
                body = {"error": {"message": reply.get("message", f"scripted error {status}"), "type": "server"}}
            else:
                body = completion_body(reply, request.get("model", "scripted"))
            self.send_json(status, body, reply.get("headers", {}))

        def send_json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, str(value))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up: nothing to answer

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default (5) drops connections when 64 clients open at once


def serve(script: Script, port: int = 0) -> ThreadingHTTPServer:
    """A server on 127.0.0.1 answering from ``script`` (port 0: any free port)."""
    return _Server(("127.0.0.1", port), make_handler(script))


def main(argv: list[str] | None = None) -> None:
    """Serve a script from the command line until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--script", help="the script JSON file (default: every reply is the default reply)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--log", help="append one JSON line per request here")
    args = parser.parse_args(argv)
    script = Script(json.loads(Path(args.script).read_text()) if args.script else {}, args.log)
    server = serve(script, args.port)
    print(f"READY {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
