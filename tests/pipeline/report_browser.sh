# rs-report's page the way a person sees it: headless Chromium renders it
# with no console message at all (the page has no script, so any message
# is a fault: a resource it tried to load, a parse error), and the
# screenshot is the size asked for and shows the figures' colours.  A
# control page that calls console.error proves such a message is seen.
# Skipped, saying so, where Chromium is not installed (Debian package
# chromium).
set -eu
browser=
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
[ -n "$browser" ] || { echo "chromium not installed (Debian package chromium)" >&2; exit 77; }
PATH=$ROOT/scripts:$PATH
fail() { echo "FAIL: $*"; exit 1; }

# shot PAGE: renders PAGE into PAGE.png (800 x 1800), its log in
# PAGE.log; a profile of its own, no sandbox (tests may run as root).
shot() {
	timeout 180 "$browser" --headless --no-sandbox --disable-gpu \
	    --no-first-run --hide-scrollbars --user-data-dir="$PWD/profile" \
	    --enable-logging=stderr --v=0 --window-size=800,1800 \
	    --screenshot="$PWD/$1.png" "file://$PWD/$1" >"$1.out" 2>"$1.log" ||
	    { tail -5 "$1.log"; fail "$browser exited $? on $1"; }
	[ -s "$1.png" ] || { tail -5 "$1.log"; fail "no screenshot of $1"; }
}
# Console messages, as --enable-logging prints them: ...:CONSOLE(1)] or
# ...:CONSOLE:1] "text", source: ...
console() { grep -E ':CONSOLE[(:]' "$1.log" || :; }

cat >control.html <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>control</title></head>
<body><p>control</p><script>console.error("rs-report-control-error");</script></body></html>
EOF
shot control.html
console control.html | grep -q rs-report-control-error ||
    fail "the control page's console.error was not seen: the check below would see nothing"

rs-synth -q -s 0.005 -S 5 -o data
rs-load -q -s --format tsv -o events.rse data/events.csv >eda.tsv
rs-interactions -q --until end-14d -o train.rsm events.rse
t=$(rs-cat -m until train.rsm)
rs-interactions -q --since "$t" -e addtocart -b -o test.rsm events.rse
rs-als-train -q -m popular -o popular.rsa train.rsm
rs-als-train -q -f 8 -i 3 -o als.rsa train.rsm
rs-recommend -q -m popular.rsa --users-from test.rsm -k 20 -o popular.csv
rs-recommend -q -m als.rsa --fallback popular.rsa --users-from test.rsm -k 20 -o als.csv
rs-eval -q -f csv -o eval.csv -t test.rsm --train train.rsm -l popular -l als \
    --mlflow mlruns popular.csv als.csv
rs-requests -q --since "$t" -o requests.rsq events.rse
rs-knn-train -q --until "$t" -o knn.rsk events.rse
rs-replay -q -r requests.rsq -H events.rse -p popular.rsa -n knn.rsk -m als.rsa \
    -b recent:5,itemknn:5 --format csv -o replay.csv
rs-report -o report.html --eda eda.tsv --eval eval.csv --replay replay.csv \
    --mlflow mlruns
shot report.html
m=$(console report.html)
[ -z "$m" ] || fail "console messages while rendering the report: $m"

# The screenshot: a PNG of 800 x 1800 in which the colours of the three
# event types (view, addtocart, transaction) each cover some pixels.
python3 - report.html.png <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("FAIL: not a PNG")
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
if (w, h) != (800, 1800) or depth != 8 or ctype not in (2, 6):
    sys.exit("FAIL: screenshot %dx%d depth %d type %d" % (w, h, depth, ctype))
bpp = 3 if ctype == 2 else 4
raw, stride = zlib.decompress(idat), w * bpp
prev, count = bytearray(stride), {}
want = {(0x00, 0x72, 0xb2): "view", (0xe6, 0x9f, 0x00): "addtocart",
        (0x00, 0x9e, 0x73): "transaction"}
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for i in range(0, stride, bpp):
        px = (line[i], line[i + 1], line[i + 2])
        if px in want:
            count[want[px]] = count.get(want[px], 0) + 1
    prev = line
for name in want.values():
    if count.get(name, 0) < 100:
        sys.exit("FAIL: %d pixels of the %s colour: %r" % (count.get(name, 0), name, count))
print("screenshot %dx%d, pixels by colour %r" % (w, h, sorted(count.items())))
EOF
echo "report renders in $browser without console messages"
