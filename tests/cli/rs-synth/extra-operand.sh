rs-synth -o out somefile
