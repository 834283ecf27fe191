# Installation layout and the Debian package (CPack DEB).
#
# `cmake --install build` (prefix /usr) puts everything where Debian expects it:
#   /usr/bin/seedd, /usr/bin/seedctl
#   /lib/systemd/system/seedd.service        (Debian 12 keeps packaged units under /lib)
#   /usr/lib/sysusers.d/seedd.conf           (creates the seedd system user)
#   /usr/lib/tmpfiles.d/seedd.conf           (creates /var/lib/seedd, 0700, owned by seedd)
#   /usr/share/doc/seedd/examples/seedd.conf (every option, commented out)
#   /usr/share/doc/seedd/*.md                (README and docs/)
#   /usr/share/bash-completion/completions/seedctl
# There is no /etc/seedd: the service reads /var/lib/seedd/seedd.conf ($STATE_DIRECTORY) when
# it exists, so an unused conffile in /etc would only mislead (docs/operations.md).
# With another prefix (`cmake --install build --prefix /opt/seedd`) every path stays under it.

# Paths are worked out at install time, so `cmake --install --prefix` and CPack (which installs
# into a staging copy of /usr) both see the prefix actually used. Under a .../usr prefix the
# unit goes to the sibling lib/systemd/system (/lib/systemd/system); elsewhere it stays inside.
install(CODE "set(SEEDD_SOURCE_DIR \"${CMAKE_SOURCE_DIR}\")")
install(CODE [[
  if(CMAKE_INSTALL_PREFIX MATCHES "/usr/?$")
    set(_seedd_unit_dir "${CMAKE_INSTALL_PREFIX}/../lib/systemd/system")
  else()
    set(_seedd_unit_dir "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
  endif()
  cmake_path(NORMAL_PATH _seedd_unit_dir)
  file(INSTALL DESTINATION "${_seedd_unit_dir}" TYPE FILE
       FILES "${SEEDD_SOURCE_DIR}/systemd/seedd.service")
]])
install(FILES ${CMAKE_SOURCE_DIR}/systemd/seedd.sysusers.conf DESTINATION lib/sysusers.d RENAME seedd.conf)
install(FILES ${CMAKE_SOURCE_DIR}/systemd/seedd.tmpfiles.conf DESTINATION lib/tmpfiles.d RENAME seedd.conf)
install(FILES ${CMAKE_SOURCE_DIR}/config/seedd.conf DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/scripts/seedctl.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME seedctl)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

# The .deb: `cpack -G DEB` in the build directory makes seedd_<version>_<arch>.deb.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "seedd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "seedd maintainers <maintainers@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "BitTorrent seeding daemon with bandwidth receipts")
set(CPACK_PACKAGE_DESCRIPTION "seedd is an always-on BitTorrent seeding daemon for home servers \
and NAS boxes. Peers that download from it sign receipts for the bytes they got; seedd keeps them \
in a crash-safe ledger and turns them into signed reward claims. Driven with JSON-RPC over HTTP \
or seedctl.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Depends on the runtime libraries, computed by dpkg-shlibdeps from the binaries.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The maintainer scripts create the user (systemd-sysusers, else adduser) and the state dir.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd | adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/cmake/deb/postinst ${CMAKE_SOURCE_DIR}/cmake/deb/prerm
    ${CMAKE_SOURCE_DIR}/cmake/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
