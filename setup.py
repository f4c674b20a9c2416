"""Package layout (everything else is in pyproject.toml).

The checkout keeps the product's top-level folders; each holds a package with the product's own
name, so nothing installs as a generic ``core`` or ``desktop`` (see docs/internals.md, "Packages").
``resources/`` is installed as ``hhir.resources``, a package of data files read with
``importlib.resources``. pyproject.toml cannot list a package that lives outside the folder tree
``packages.find`` walks, hence this file.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages("core"), *find_packages("desktop"), "hhir.resources"],
    package_dir={"hhir": "core/hhir", "hhir_studio": "desktop/hhir_studio", "hhir.resources": "resources"},
)
