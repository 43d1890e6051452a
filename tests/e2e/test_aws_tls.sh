# The AWS client over TLS, as it always talks to AWS: a signed call to an HTTPS endpoint
# whose certificate AWS_CA_BUNDLE names succeeds, and several calls share one TLS
# connection; without that CA the peer is refused (verification is never off).
# The server is python3's ssl module with a certificate made here for 127.0.0.1.
. "$WF_SOURCE_DIR/tests/e2e/lib.sh"
command -v openssl >/dev/null || { echo "SKIP: no openssl command (tools/setup.sh installs it)"; exit 77; }
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_CA_BUNDLE

openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
    -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" 2>openssl.err ||
    { cat openssl.err >&2; fail "openssl could not make a certificate"; finish; }

# Answers every POST with GetCallerIdentity's XML; logs each TLS connection it accepts.
cat > server.py <<'PY'
import http.server, socket, ssl, sys
BODY = (b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        b'<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tls</Arn>'
        b'<UserId>AIDATLS</UserId><Account>123456789012</Account></GetCallerIdentityResult>'
        b'<ResponseMetadata><RequestId>tls-1</RequestId></ResponseMetadata>'
        b'</GetCallerIdentityResponse>')
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        print("connection", flush=True)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        auth = self.headers.get("Authorization", "")
        print("signed" if auth.startswith("AWS4-HMAC-SHA256 Credential=") else "unsigned", flush=True)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain("cert.pem", "key.pem")
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print("port", server.server_address[1], flush=True)
server.serve_forever()
PY
python3 -u server.py > server.log 2> server.err &
server=$!
trap 'kill $server 2>/dev/null' EXIT
wait_for server.log "port"
URL="https://127.0.0.1:$(sed -n 's/^port //p' server.log)"

# One call: the certificate is checked against AWS_CA_BUNDLE, the result parsed.
expect_exit 0 env AWS_CA_BUNDLE="$PWD/cert.pem" "$WFRUN" --endpoint-url "$URL" call sts get_caller_identity
contains out.txt '"Account": "123456789012"'
contains out.txt '"Arn": "arn:aws:iam::123456789012:user/tls"'
contains server.log "signed"

# Three calls from one step: one TLS connection, kept alive between them.
cat > calls.lua <<'WF'
workflow "tls-calls" {}
step "calls" { run = function()
  for _ = 1, 3 do assert(aws.sts.get_caller_identity {}.Account == "123456789012") end
end }
WF
before=$(grep -c '^connection' server.log)
expect_exit 0 env AWS_CA_BUNDLE="$PWD/cert.pem" "$WFRUN" --endpoint-url "$URL" calls.lua
CHECKS=$((CHECKS + 1))
opened=$(( $(grep -c '^connection' server.log) - before ))
[ "$opened" -eq 1 ] || fail "three calls opened $opened TLS connections, expected 1"

# Without the CA the self-made certificate is refused: no answer is trusted.
expect_exit 1 env -u AWS_CA_BUNDLE "$WFRUN" --endpoint-url "$URL" call sts get_caller_identity
contains err.txt "certificate"
finish
