<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><?= $e($title) ?></title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<header><a href="/">Inventory</a></header>
<main>
<?= $contentHtml ?>
</main>
<footer>Served by <b id="instance-id"><?= $e($instanceId) ?></b> in <b id="availability-zone"><?= $e($availabilityZone) ?></b></footer>
</body>
</html>
