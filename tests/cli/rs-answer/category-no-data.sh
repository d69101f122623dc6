# a blend with category but neither -A nor -i
set -eu
rs-answer -b recent:4,category:2 -r r.rsq -H ev.rse
