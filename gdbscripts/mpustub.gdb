# Connects to a local mpustub and loads the MPU commands. Run from the repository's root:
#   gdb-multiarch -x gdbscripts/mpustub.gdb
# (another address: gdb-multiarch -ex 'set $mpustub_port = 4444' ... is not needed; edit the
# target line or run the two commands by hand.)
set pagination off
set confirm off
target remote 127.0.0.1:1234
source gdbscripts/mpustub.py
echo mpustub: MPU commands loaded; `help mpu` lists them.\n
