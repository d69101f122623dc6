# A bad MLflow store or release is refused with file:line and why, exit
# 1; an empty store or output directory is a section saying so and a
# warning (none with -q).
PATH=$ROOT/scripts:$PATH
mkdir -p m1/0/r1/metrics m2/0/r1/metrics empty/releases
printf "start_time: 17000000000x\nrun_name: 'als'\n" >m1/0/r1/meta.yaml
printf '1 0.2 0\n' >m1/0/r1/metrics/recall_at_10
printf "start_time: 1700000000000\nrun_name: 'als'\n" >m2/0/r1/meta.yaml
printf '1 0.2 0\n1 0.3\n' >m2/0/r1/metrics/recall_at_10
for m in m1 m2; do
	rs-report --mlflow $m
	echo "$m: exit $?"
done
mkdir -p o1/releases/a o2/releases/a o3/releases/a
printf 'created=1700000000\nrecall_at_10\n' >o1/releases/a/release.env
printf 'created=1700000000\nk=10\nrecall_at_10=high\n' >o2/releases/a/release.env
printf 'k=10\nrecall_at_10=0.2\n' >o3/releases/a/release.env
for o in o1 o2 o3; do
	rs-report --releases $o
	echo "$o: exit $?"
done
rs-report --mlflow empty --releases empty | grep '"none"'
echo "exit $?"
rs-report -q --mlflow empty >/dev/null
echo "quiet: exit $?"
