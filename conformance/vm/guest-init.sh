#!/bin/busybox sh
# shellcheck shell=dash
# /init of the test guest: load the virtio-gpu modules, run the agent, power off.
# Agent results go to the second serial port (vgb.results=, default ttyS1; a
# virtio console, hvc0, works too) so kernel messages on the console can never
# split a result line; progress goes to the console.
/bin/busybox --install -s /bin
export PATH=/bin
mkdir -p /proc /sys /dev /tmp
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
echo "VGB-INIT kernel $(uname -r)"
for m in $(cat /modules/order); do
	insmod "/modules/$m" || echo "VGB-INIT insmod $m failed"
done
i=0
while [ ! -e /dev/dri/card0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -e /dev/dri/card0 ] || echo "VGB-INIT no /dev/dri/card0 after 10 s"

# Options come from the kernel command line: vgb.cases=GLOB vgb.case_timeout=S
# vgb.expect_scanout=S vgb.results=DEVICE vgb.rerun_failures=N
args=""
out=/dev/ttyS1
for w in $(cat /proc/cmdline); do
	case $w in
	vgb.results=*) out=${w#vgb.results=} ;;
	vgb.cases=*) args="$args --cases ${w#vgb.cases=}" ;;
	vgb.case_timeout=*) args="$args --case-timeout ${w#vgb.case_timeout=}" ;;
	vgb.expect_scanout=*) args="$args --scanout-wait ${w#vgb.expect_scanout=}" ;;
	vgb.rerun_failures=*) args="$args --rerun-failures ${w#vgb.rerun_failures=}" ;;
	esac
done
# A virtio console appears once its driver has probed the device.
i=0
while [ ! -e "$out" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$out" ] || { echo "VGB-INIT no $out: results go to the console"; out=/dev/console; }
stty -F "$out" raw -echo 2>/dev/null
echo "VGB-INIT results on $out"
echo "VGB-INIT agent start"
# $args is split on purpose: it holds several options.
# shellcheck disable=SC2086
/agent --out "$out" $args
echo "VGB-INIT agent exit $?"
dmesg | grep -iE 'virtio|drm|\[drm' | tail -n 40
sync
poweroff -f
