-- cbreturn 0.2.0 -> 0.3.0.  Run by ALTER EXTENSION cbreturn UPDATE; attached
-- checks (their triggers and metadata) are kept.  Each section below names the
-- change it carries; test/checks/upgrade.sh requires the result to equal a
-- fresh 0.3.0 install, from 0.2.0 and from 0.1.0 alike.
\echo Use "ALTER EXTENSION cbreturn UPDATE" to load this file. \quit
