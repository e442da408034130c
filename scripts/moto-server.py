"""The local AWS emulator for the tests: moto's server, one request at a time.

moto_server (5.2.5) answers each request in its own thread, and its DynamoDB
TransactWriteItems is not safe under that: it deep-copies every table while
other requests write to them (RuntimeError, an HTML 500 answer), and a
transaction that fails its conditions restores that copy over the writes that
other requests made meanwhile. DynamoDB itself serialises conflicting
transactions. Here requests are still accepted concurrently, but handled one
after the other, which is what the tests of concurrent invocations need.

Usage: python scripts/moto-server.py -H 127.0.0.1 -p PORT
"""

import argparse
import signal
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import run_simple


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialised(environ, start_response):
        with lock:
            # The whole body is produced inside the lock (moto answers with lists of bytes).
            return list(app(environ, start_response))

    run_simple(
        args.host,
        args.port,
        serialised,
        threaded=True,
        request_handler=MotoRequestHandler,
    )


if __name__ == "__main__":
    main()
