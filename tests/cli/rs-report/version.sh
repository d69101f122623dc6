# --version names the tool and the version of the rs tools beside it.
PATH=$ROOT/scripts:$PATH
rs-report --version
