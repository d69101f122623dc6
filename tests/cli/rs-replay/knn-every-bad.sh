# --knn-every and --knn-half-life take a positive duration with a unit;
# a half-life needs --knn-every, and -n excludes it
rs-replay --knn-every 1 -r r.rsq -H ev.rse
echo "exit $?"
rs-replay --knn-every 0s -r r.rsq -H ev.rse
echo "exit $?"
rs-replay --knn-every 1h --knn-half-life -2d -r r.rsq -H ev.rse
echo "exit $?"
rs-replay --knn-half-life 7d -r r.rsq -H ev.rse
echo "exit $?"
rs-replay --knn-every 1h -n k.rsk -r r.rsq -H ev.rse
echo "exit $?"
rs-answer --knn-every x -r r.rsq -H ev.rse
echo "exit $?"
