# --fold-in has nothing to fold in without --recent.
rs-recommend --fold-in --all -m m.rsa
