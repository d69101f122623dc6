rs-synth --version
