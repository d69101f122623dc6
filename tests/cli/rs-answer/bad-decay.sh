# --knn-decay is from 1e-6 to 1, as rs-replay's
rs-answer --knn-decay 1.5 -r r.rsq -H ev.rse
