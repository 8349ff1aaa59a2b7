/** The distribution: the built tarball, systemd/install.sh and uninstall.sh, bin/berth. */
package io.berth.tests.dist;
