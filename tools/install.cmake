# What `cmake --install` puts where (GNU layout), and the Debian package CPack builds.
#   bin/wfrun, bin/awssim
#   share/wfrun/workflows/         the shipped workflows, components, examples/seed.json
#   share/man/man1/wfrun.1, awssim.1
#   share/bash-completion/completions/wfrun
#   share/doc/wfrun/               README, docs, the AWS models' LICENSE and NOTICE
# dsl/ and stdlib/ are embedded in the binary, so they are not installed. wfrun finds the
# workflows, the seed and awssim relative to its own path (dsl/paths.lua), so the tree
# works under any prefix and after relocation.
include(GNUInstallDirs)

install(TARGETS wfrun RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET awssim)
  install(TARGETS awssim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(DIRECTORY workflows/ DESTINATION ${CMAKE_INSTALL_DATADIR}/wfrun/workflows)
install(FILES docs/man/wfrun.1 docs/man/awssim.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES tools/bash-completion/wfrun DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md" PATTERN man EXCLUDE)
install(FILES engine/aws/models/LICENSE.txt engine/aws/models/NOTICE DESTINATION ${CMAKE_INSTALL_DOCDIR}/aws-models)

# cpack -G DEB (from the build directory): wfrun_<version>_<arch>.deb installing under /usr.
set(CPACK_PACKAGE_NAME wfrun)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "wfrun")
set(CPACK_PACKAGE_CONTACT "wfrun maintainers <wfrun@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Workflows for AWS operations with undo, journals and a local AWS simulator")
set(CPACK_PACKAGE_DESCRIPTION "wfrun runs operational workflows against AWS, written in a small Lua DSL: every
step that changes the world declares its undo, so a failed run puts the world back up
to a declared point of no return. Ships the workflows clone, migrate, bake and
audit-amis, and awssim, a local AWS simulator (wfrun --sim).")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Library dependencies from the linked libraries themselves when dpkg-shlibdeps (dpkg-dev)
# is there; else Debian 12's package names for them.
find_program(WF_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(WF_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, liblua5.4-0, libcurl4, libssl3, libcjson1, libpcre2-8-0, libexpat1, libmicrohttpd12")
endif()
include(CPack)
