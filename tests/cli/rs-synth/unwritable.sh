# An output directory that cannot be made is a clear runtime error.
touch file
rs-synth -s 0.001 -o file/sub
