# The whole --stats report of the real 5,000-visitor events sample, byte
# for byte (tests/pipeline/eda_sample.sh checks its figures against
# PROVENANCE.md).
d=${RS_DATA:-}
if [ ! -f "$d/events_sample_5000_visitors.csv" ]; then
	echo "skip: Retailrocket samples not found in '$d'" >&2
	exit 77
fi
rs-load -s -o /dev/null "$d/events_sample_5000_visitors.csv"
