# Zero and negative scales are out of range: usage error, exit 2, no files.
rs-synth --scale 0 -o out
ls out 2>/dev/null
