-- Workload "reporting": the return status function joined over :rows
-- returns.  The status function (rules section 6) is not in this build yet;
-- when it is, this workload times it against a PL/pgSQL twin, like the others.

\set ON_ERROR_STOP 1
SELECT bench.note('reporting', 'skipped: the return status function (rules section 6) is not in this build');
