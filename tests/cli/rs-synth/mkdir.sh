# A missing output directory is made, parents included; a rerun replaces
# the files atomically and leaves no temporary files behind.
set -e
rs-synth -s 0.001 -o new/deeper
rs-synth -s 0.001 -o new/deeper/
ls -A new/deeper
