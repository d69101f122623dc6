# a blend with category but neither -A nor -i
set -eu
rs-replay -b recent:4,category:2 -r r.rsq -H ev.rse
