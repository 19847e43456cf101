"""The site archivists read: the Datasette plugin (:mod:`provcat.site.hooks`) and the integrity pages."""
