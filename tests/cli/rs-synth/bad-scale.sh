# Not a number: usage error, exit 2.
rs-synth --scale 1x -o out
