rs-synth --bogus
