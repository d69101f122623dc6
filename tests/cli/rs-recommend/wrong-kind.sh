# A matrix stream given as the model: the kind is named with the file.
. "$ROOT/tests/data/recommend/setup.sh"
echo 100 | rs-recommend -m bought.rsm
