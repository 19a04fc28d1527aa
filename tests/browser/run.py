"""Runs the browser tests and prints one last line: "browser tests: N passed, M failed"."""
import sys
import unittest

if __name__ == "__main__":
    suite = unittest.defaultTestLoader.discover(start_dir=__file__.rsplit("/", 1)[0], pattern="test_*.py")
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    failed = len(result.failures) + len(result.errors)
    print(f"browser tests: {result.testsRun - failed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)
