"""The site's static search: ``index`` writes the sharded index the browser reads
(``assets/js/search-index.js``), ``form`` the search form on the home page."""
