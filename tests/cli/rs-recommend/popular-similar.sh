# Similar items need item factors: a popular model cannot give them.
. "$ROOT/tests/data/recommend/setup.sh"
echo 2 | rs-recommend --similar -m pop.rsa
